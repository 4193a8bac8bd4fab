"""The checker: re-executes a handed-in notebook in a fresh kernel (quick mode) and reports, question by
question, what its check cells found.

Saved outputs are never trusted: they are cleared first. The given cells (set-up, checks, figures) are
put back as the solution notebook has them (a hand-in that edited or deleted one is told so), so a
verdict always comes from the project's own checks. Written answers are listed as written or empty;
they are for the teacher to read. The verdicts are read in the hand-in's own kernel: this is the
student's tool; a class is graded by grading/.
"""
import pathlib
from dataclasses import dataclass
from typing import Any

import nbformat

from common import conventions
from common.conventions import tp5
from common.paths import NOTEBOOKS_DIR

from .execute import CellError, clear_outputs, execute
from .grading.records import Point, Verdict
from .lab_notebook import question_key, restore_given_cells, solution_for


@dataclass
class Report:
    part: int
    #: Each question's verdict as its check cells showed it; the points are those to revise.
    verdicts: list[Verdict]
    #: Each written answer's question → whether something is written.
    written: dict[str, bool]
    notes: list[str]

    @property
    def score(self) -> int:
        return sum(v.passed for v in self.verdicts)

    @property
    def ok(self) -> bool:
        return all(v.passed for v in self.verdicts)


def error_lines(error: CellError, outputs: list[Any]) -> list[str]:
    """The line a student should read of a cell's error: the one naming its question, else the first."""
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr") or error.message
    question = [line.strip() for line in text.splitlines() if line.strip().startswith("Question ")]
    return question[:1] or [error.message or error.name]


def points_to_revise(cell: Any) -> list[Point]:
    """The points to revise of the verdict a check cell showed (whether the check then stopped the cell
    or, its result being needed later, handed on a stand-in); none when it passed."""
    for output in cell.get("outputs", []):
        shown = output.get("data", {}).get(conventions.VERDICT_MIME) if output.get("output_type") == "display_data" else None
        if not isinstance(shown, dict):
            continue
        try:
            verdict = Verdict(**shown)
        except TypeError:  # no verdict there (or not one the library wrote)
            continue
        return [] if verdict.passed else [point for point in verdict.points if point.kind == "wrong"]
    return []


def check(path: pathlib.Path, timeout: int) -> Report:
    notebook = clear_outputs(nbformat.read(path, as_version=4))
    part, solution = solution_for(notebook, path)
    notes = restore_given_cells(notebook, solution)
    # The parts beyond the TP are given, not graded: left out of the run, which they would only lengthen.
    notebook.cells = conventions.without_beyond(notebook.cells)
    # Run from the project's notebooks/ folder, wherever the handed-in file is, as a student runs it.
    execution = execute(notebook, NOTEBOOKS_DIR, timeout, allow_errors=True, quick=True)
    errors: dict[int, CellError] = {}
    for error in execution.errors:
        errors.setdefault(error.index, error)
    verdicts: dict[str, Verdict] = {}
    for index, cell in enumerate(execution.notebook.cells):
        question = tp5(cell).get("check") or tp5(cell).get("answer")
        if not question:
            if index in execution.timeouts:
                notes.append(f"cellule {index} arrêtée au bout de {timeout} s")
            continue
        verdict = verdicts.setdefault(question, Verdict(question, True))
        revise = points_to_revise(cell)
        if revise and verdict.passed:
            verdict.passed, verdict.points = False, revise
        if index in errors and verdict.passed:
            verdict.passed = False
            lines = ([f"cellule {index} arrêtée au bout de {timeout} s (délai par cellule)"] if index in execution.timeouts
                     else error_lines(errors[index], cell.outputs))
            verdict.points = [Point("wrong", line) for line in lines]
    written = {question: bool(text) for question, text in conventions.written_answers(execution.notebook).items()}
    ordered = sorted(verdicts.values(), key=lambda v: question_key(v.question))
    return Report(part, ordered, written, notes)


def format_report(path: pathlib.Path, report: Report) -> str:
    lines = [f"Vérification de {path} (partie {report.part}, ré-exécutée dans un noyau neuf, mode rapide)"]
    lines += [f"  NOTE : {note}" for note in report.notes]
    for verdict in report.verdicts:
        lines.append(f"  {'✔' if verdict.passed else '✘'} Question {verdict.question}")
        lines += [f"      ✘ {text}" for text in verdict.texts("wrong")]
    if report.written:
        missing = [q for q, done in report.written.items() if not done]
        lines.append(f"  Réponses rédigées : {len(report.written) - len(missing)} / {len(report.written)}"
                     + (f" (vides : {', '.join(missing)})" if missing else ""))
    lines.append(f"Score : {report.score} / {len(report.verdicts)}")
    return "\n".join(lines)
