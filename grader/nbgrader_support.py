"""What nbgrader needs to grade this lab's TypeScript notebooks (see README, "With nbgrader").

`course` lays out an nbgrader course folder: the solution notebooks with nbgrader's cell metadata,
derived from the lab's own (`tp5.answer`: a solution cell; after each `tp5.check` cell, an autograded test cell worth 1 point,
`lab.check.passed(question)`; `tp5.written`: a manually graded answer worth 1 point; every other cell locked), and
nbgrader_config.py. `TslabExecute` lets `nbgrader autograde` run tslab notebooks.
"""
import json
import pathlib
import shutil

import nbformat
from nbgrader.preprocessors import Execute


from common.conventions import tp5

from .execute import clear_outputs

ASSIGNMENT = "tp5"
CONFIG = pathlib.Path(__file__).with_name("nbgrader_config.py")


def nbgrader_metadata(cell, index: int) -> dict:
    question = {key: str(value).replace(".", "_") for key, value in tp5(cell).items()}  # grade ids: letters, digits, _ and -
    base = {"schema_version": 3, "grade": False, "solution": False, "locked": True, "grade_id": f"donnee-{index}"}
    if question.get("answer"):
        return {**base, "solution": True, "locked": False, "grade_id": f"reponse-{question['answer']}-{index}"}
    if question.get("verdict"):
        return {**base, "grade": True, "points": 1, "grade_id": f"verification-{question['verdict']}-{index}"}
    if question.get("written"):
        return {**base, "grade": True, "solution": True, "locked": False, "points": 1, "grade_id": f"redaction-{question['written']}"}
    return base


def with_verdict_cells(cells: list) -> list:
    """After each check cell, the cell nbgrader grades: `lab.check.passed("1.1")` fails when that check
    said « à revoir ». The check cell itself may go on with a stand-in (so that later questions are
    judged on their own), which nbgrader, grading a cell by whether it raises, would count as passed."""
    out = []
    for cell in cells:
        out.append(cell)
        question = tp5(cell).get("check")
        if question:
            verdict = nbformat.v4.new_code_cell(f"lab.check.passed({json.dumps(question)});")
            verdict.metadata["tp5"] = {"verdict": question}
            verdict.id = f"{cell.get('id', 'verification')}-verdict"
            out.append(verdict)
    return out


def course(folder: pathlib.Path, solutions: list) -> list:
    """Writes FOLDER/source/tp5/*.ipynb and FOLDER/nbgrader_config.py; returns the notebooks written."""
    source = folder / "source" / ASSIGNMENT
    source.mkdir(parents=True, exist_ok=True)
    written = []
    for path in solutions:
        notebook = clear_outputs(nbformat.read(path, as_version=4))
        notebook.cells = with_verdict_cells(notebook.cells)
        for index, cell in enumerate(notebook.cells):
            cell.metadata["nbgrader"] = nbgrader_metadata(cell, index)
        target = source / path.name
        nbformat.write(notebook, target)
        written.append(target)
    shutil.copyfile(CONFIG, folder / "nbgrader_config.py")
    return written


class TslabExecute(Execute):
    """nbgrader's Execute for tslab: tslab's error replies carry no ename/evalue/traceback, which
    nbgrader 0.9 reads (KeyError otherwise)."""

    def on_cell_executed(self, **kwargs):
        content = kwargs["execute_reply"]["content"]
        if content.get("status") == "error":
            content.setdefault("ename", "Error")
            content.setdefault("evalue", "la cellule a échoué (voir sa sortie)")
            content.setdefault("traceback", [])
        return super().on_cell_executed(**kwargs)
