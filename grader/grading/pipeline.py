"""Grading one hand-in: its steps in order, each a function of the hand-in (handin.py) that reads what it
needs and adds to its result; a step of its own module, with its own tests (test/python/test_grading_*.py).

  number_cells           each cell's number as the student sees it in the hand-in, for the notes
  read_written_answers   the written answers' texts, for grading by hand
  put_back_given_cells   the given cells as the solution has them (nbgrader's locked cells)
  leave_out_beyond       the parts beyond the TP left out of the run
  add_export_cells       after each check cell, its question's values written for the judge
  write_inputs           the notebook as it will run
  run_in_sandbox         the run (sandboxing.py, inside.py), its results unpacked
  note_cell_problems     a note per cell that failed, ran too long or printed too much, and where it stopped
  judge_answers          the judge's verdicts, in a sandbox of its own (lib/coursework/judge.ts)
  name_unanswered        a question whose answer still holds lab.todo said so, in one line
  note_test_images_named a hint where a passed training answer names the test images
"""
import pathlib
from collections.abc import Callable

import nbformat

from ..lab_notebook import solution_for
from .cache import content_key
from .handin import HandIn, Places
from .hints import note_test_images_named
from .judge import judge_answers
from .options import Options
from .prepare import add_export_cells, leave_out_beyond, number_cells, put_back_given_cells, read_written_answers, write_inputs
from .records import Graded
from .run import note_cell_problems, run_in_sandbox
from .unanswered import name_unanswered

Step = Callable[[HandIn], None]

STEPS: list[Step] = [
    number_cells,
    read_written_answers,
    put_back_given_cells,
    leave_out_beyond,
    add_export_cells,
    write_inputs,
    run_in_sandbox,
    note_cell_problems,
    judge_answers,
    name_unanswered,
    note_test_images_named,
]


def grade_one(student: str, path: pathlib.Path, work: pathlib.Path, options: Options, slot: int = 0) -> Graded:
    """Grades one hand-in, its files in `work`."""
    notebook = nbformat.read(path, as_version=4)
    part, solution = solution_for(notebook, path)
    graded = Graded(student, path.name, part, key=content_key(path))
    handin = HandIn(notebook, solution, Places(work, options.sandboxed, slot), options, graded)
    for step in STEPS:
        step(handin)
    return graded
