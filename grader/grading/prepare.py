"""The steps before a hand-in runs: its cells numbered as the student sees them, its written answers read,
its given cells put back, the parts beyond the TP left out, the export cells added, the notebook written
where its run reads it."""
import json
import shutil
from typing import Any

import nbformat

from common import conventions
from common.conventions import tp5

from ..execute import clear_outputs, write_atomically
from ..lab_notebook import QUESTIONS, restore_given_cells, value_expression
from .handin import HandIn


#: The metadata that keeps each cell's number in the hand-in as handed in (1, 2, … as JupyterLab counts
#: them: « Cellule 16/48 »), through the cells the grader adds, puts back or leaves out.
HANDIN_NUMBER = "tp5-rendu"


def number_cells(handin: HandIn) -> None:
    """Each cell's number in the hand-in, kept in its metadata: notes cite cells by it."""
    for number, cell in enumerate(handin.notebook.cells, start=1):
        cell.metadata[HANDIN_NUMBER] = {"cellule": number}


def handin_number(cell: dict[str, Any]) -> int | None:
    """The cell's number in the hand-in as handed in (None for a cell the grader added or put back)."""
    number = cell.get("metadata", {}).get(HANDIN_NUMBER, {}).get("cellule")
    return number if isinstance(number, int) else None


def read_written_answers(handin: HandIn) -> None:
    """Each written answer's text (after « Votre réponse : »), for grading by hand."""
    handin.graded.written = conventions.written_answers(handin.notebook)


def put_back_given_cells(handin: HandIn) -> None:
    """Every given code cell as the solution has it (a note for each one changed or deleted)."""
    for message in restore_given_cells(handin.notebook, handin.solution):
        handin.note("given-cell", message)


def leave_out_beyond(handin: HandIn) -> None:
    """The parts beyond the TP are given, not graded: left out of the run, which they would only lengthen."""
    handin.notebook.cells = conventions.without_beyond(handin.notebook.cells)


def add_export_cells(handin: HandIn) -> None:
    """After each question's check cell, one cell per value the question is graded on, which writes it
    for the judge (lab.exportAnswer): a value never defined loses only its own cell, and a run cut short
    later (a crash, the time limit) leaves the questions before it judged. A value graded by several
    questions is written again after each: the judge reads it as the last of them left it."""
    folder = json.dumps(str(handin.places.scratch_seen / "answers"))
    cells = []
    for cell in handin.notebook.cells:
        cells.append(cell)
        question = tp5(cell).get("check")
        for name in QUESTIONS.get(question, {}).get("graded", []) if question else []:
            source = f"lab.exportAnswer({folder}, {json.dumps(name)}, {value_expression(name)});"
            cells.append(nbformat.v4.new_code_cell(source, metadata={"tp5": {"export": name, "question": question}}))
    handin.notebook.cells = cells


def write_inputs(handin: HandIn) -> None:
    """The notebook as it will run, alone in a fresh inputs folder (whatever an earlier grading left is removed)."""
    places = handin.places
    if places.work.exists():
        shutil.rmtree(places.work)
    places.inputs.mkdir(parents=True)
    write_atomically(clear_outputs(handin.notebook), places.inputs / "handin.ipynb")

