"""What the project's notebooks say of their cells, shared by the checker (check.py) and the grader
(grading/): each cell's tp5 metadata, the TP's table of questions, the questions in the TP's order, the
solution notebook of a part, the given cells put back as the solutions have them."""
import json
import pathlib
import re

import nbformat

from common.conventions import tp5
from common.paths import NOTEBOOKS_DIR, ROOT

#: The TP's questions (id → part, title, graded values, whether the answer trains models), as the library reads them.
QUESTIONS_FILE = ROOT / "lib" / "coursework" / "questions.json"
_TABLE = json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))
QUESTIONS = _TABLE["questions"]


def questions_of(part: int) -> list:
    """The ids of a part's questions, in the TP's order."""
    return [question for question, spec in QUESTIONS.items() if spec["part"] == part]


def value_expression(name: str) -> str:
    """The expression an export cell evaluates for a graded value: its name, or what computes it
    (lab.shownImageGrids() for `grids`)."""
    return str(_TABLE["computedValues"].get(name, name))


def solution_for(notebook: nbformat.NotebookNode, path: pathlib.Path) -> tuple:
    """The solution notebook of the same part (by metadata tp5.part, else by the name's leading number)."""
    part = notebook.metadata.get("tp5", {}).get("part")
    if part not in (1, 2, 3):
        match = re.match(r"0?([123])", path.name)
        if not match:
            raise ValueError(f"{path}: impossible de savoir de quelle partie du TP il s'agit "
                             "(métadonnée tp5.part, ou un nom commençant par 01, 02 ou 03)")
        part = int(match.group(1))
    solution = next(NOTEBOOKS_DIR.glob(f"0{part}-*.ipynb"))
    return part, nbformat.read(solution, as_version=4)


def question_key(question: str) -> list:
    """Questions in the TP's order: 0, 1.1, …, 1.6, 2.1, …"""
    return [int(n) for n in question.split(".")]


def given_cell_name(cell, index: int) -> str:
    question = tp5(cell).get("check")
    return f"cellule de vérification de la question {question}" if question else f"cellule donnée n°{index}"


def restore_given_cells(notebook, solution) -> list:
    """Puts back every given code cell (set-up, checks, figures: all but the answer cells) as the solution
    has it, as nbgrader does with locked cells; a deleted one goes back after the cell that preceded it.
    Returns notes on the cells changed or put back."""
    notes = []
    cells = list(notebook.cells)
    given = [cell for cell in solution.cells if cell.cell_type == "code" and not tp5(cell).get("answer")]
    used: set = set()
    previous = None
    for index, original in enumerate(solution.cells):
        if not any(original is cell for cell in given):
            # An answer or a text: where the hand-in still has it, a deleted given cell goes back after it.
            previous = next((c for c in cells if original.get("id") and c.get("id") == original.get("id")), previous)
            continue
        cell = matching_cell(original, given, cells, used)
        if cell is None:
            notes.append(f"{given_cell_name(original, index)} supprimée : remise")
            cell = nbformat.from_dict(dict(original, outputs=[], execution_count=None))
            position = next((i + 1 for i, c in enumerate(cells) if c is previous), 0)
            cells.insert(position, cell)
        else:
            if cell.cell_type != "code" or cell.source != original.source:
                notes.append(f"{given_cell_name(original, index)} modifiée : remise d'origine")
            cell.cell_type, cell.source = "code", original.source
            cell.metadata["tp5"] = dict(tp5(original))
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        used.add(id(cell))
        previous = cell
    notebook.cells = cells
    return notes


def matching_cell(original, given: list, cells: list, used: set):
    """The hand-in's cell that is this given cell: the one of the same id; where ids are missing or new (a
    notebook saved by an older JupyterLab, Colab or another tool, nbformat 4.4), the one with its tp5
    metadata when no other given cell has the same, else one with its very source."""
    free = [cell for cell in cells if id(cell) not in used]
    if original.get("id"):
        same_id = next((cell for cell in free if cell.get("id") == original.get("id")), None)
        if same_id is not None:
            return same_id
    mark = tp5(original)
    if mark and sum(tp5(other) == mark for other in given) == 1:
        same_mark = [cell for cell in free if tp5(cell) == mark]
        if len(same_mark) == 1:
            return same_mark[0]
    return next((cell for cell in free if cell.cell_type == "code" and cell.source == original.source), None)
