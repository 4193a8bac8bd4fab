"""A hand-in as the grading steps receive it, built from a solution notebook, for the steps' tests."""
import pathlib

import nbformat

from grader.grading.handin import HandIn, Places
from grader.grading.options import Options
from grader.grading.records import Graded
from common.paths import NOTEBOOKS_DIR

SOLUTION_1 = next(NOTEBOOKS_DIR.glob("01-*.ipynb"))


def solution(part: int = 1) -> nbformat.NotebookNode:
    return nbformat.read(next(NOTEBOOKS_DIR.glob(f"0{part}-*.ipynb")), as_version=4)


def handin(work: pathlib.Path, notebook: nbformat.NotebookNode | None = None, part: int = 1) -> HandIn:
    """The hand-in `notebook` (the solution of `part` by default), graded without a sandbox into `work`."""
    return HandIn(notebook if notebook is not None else solution(part), solution(part), Places(work, False, 0),
                  Options(sandboxed=False), Graded("alice", f"0{part}.ipynb", part))


def cell_of(notebook: nbformat.NotebookNode, **tp5: str) -> nbformat.NotebookNode:
    """The first cell whose tp5 metadata holds `tp5`."""
    return next(c for c in notebook.cells if all(c.metadata.get("tp5", {}).get(k) == v for k, v in tp5.items()))
