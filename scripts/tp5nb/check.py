"""The checker: re-executes a handed-in notebook in a fresh kernel (quick mode) and reports, question by
question, what its check cells found.

Saved outputs are never trusted: they are cleared first. The given cells (set-up, checks, figures) are
put back as the solution notebook has them (a hand-in that edited or deleted one is told so), so a
verdict always comes from the project's own checks. Written answers are listed as written or empty;
they are for the teacher to read. The verdicts are read in the hand-in's own kernel: this is the
student's tool; a class is graded by grade.py.
"""
import pathlib
import re
from dataclasses import dataclass, field

import nbformat

from .execute import CellError, clear_outputs, execute
from .student import WRITTEN

NOTEBOOKS_DIR = pathlib.Path(__file__).resolve().parents[2] / "notebooks"


def tp5(cell) -> dict:
    return cell.get("metadata", {}).get("tp5", {})


@dataclass
class Verdict:
    question: str
    passed: bool
    messages: list = field(default_factory=list)


@dataclass
class Report:
    part: int
    verdicts: list
    written: dict
    notes: list

    @property
    def score(self) -> int:
        return sum(v.passed for v in self.verdicts)

    @property
    def ok(self) -> bool:
        return all(v.passed for v in self.verdicts)


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
    by_id = {cell.get("id"): cell for cell in cells}
    previous_id = None
    for index, original in enumerate(solution.cells):
        if original.cell_type == "code" and not tp5(original).get("answer"):
            cell = by_id.get(original.get("id"))
            if cell is None:
                notes.append(f"{given_cell_name(original, index)} supprimée : remise")
                restored = nbformat.from_dict(dict(original, outputs=[], execution_count=None))
                position = next((i + 1 for i, c in enumerate(cells) if c.get("id") == previous_id), 0)
                cells.insert(position, restored)
                by_id[original.get("id")] = restored
            else:
                if cell.cell_type != "code" or cell.source != original.source:
                    notes.append(f"{given_cell_name(original, index)} modifiée : remise d'origine")
                cell.cell_type, cell.source = "code", original.source
                cell.metadata["tp5"] = dict(tp5(original))
                cell.setdefault("outputs", [])
                cell.setdefault("execution_count", None)
        previous_id = original.get("id")
    notebook.cells = cells
    return notes


def error_lines(error: CellError, outputs: list) -> list:
    """The lines a student should read: a check's list of points to revise, else the first line of the error."""
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr") or error.message
    marked = [line.strip() for line in text.splitlines() if line.strip().startswith("✘")]
    if marked:
        return marked
    question = [line.strip() for line in text.splitlines() if line.strip().startswith("Question ")]
    return question[:1] or [error.message or error.name]


def points_to_revise(cell) -> list:
    """The ✘ points a check cell's feedback shows when it says « à revoir » (whether the check then
    stopped the cell or, its result being needed later, handed on a stand-in)."""
    for output in cell.get("outputs", []):
        shown = output.get("data", {}).get("text/plain", "")
        shown = "".join(shown) if isinstance(shown, list) else shown
        if output.get("output_type") == "display_data" and shown.startswith("Question ") and " : à revoir" in shown.splitlines()[0]:
            return [line.strip() for line in shown.splitlines() if line.strip().startswith("✘")]
    return []


def check(path: pathlib.Path, timeout: int) -> Report:
    notebook = clear_outputs(nbformat.read(path, as_version=4))
    part, solution = solution_for(notebook, path)
    notes = restore_given_cells(notebook, solution)
    # The parts beyond the TP are given, not graded: left out of the run, which they would only lengthen.
    notebook.cells = [cell for cell in notebook.cells if not tp5(cell).get("beyond")]
    # Run from the project's notebooks/ folder, wherever the handed-in file is, as a student runs it.
    execution = execute(notebook, NOTEBOOKS_DIR, timeout, allow_errors=True, quick=True)
    errors = {}
    for error in execution.errors:
        errors.setdefault(error.index, error)
    verdicts = {}
    for index, cell in enumerate(execution.notebook.cells):
        question = tp5(cell).get("check") or tp5(cell).get("answer")
        if not question:
            if index in execution.timeouts:
                notes.append(f"cellule {index} arrêtée au bout de {timeout} s")
            continue
        verdict = verdicts.setdefault(question, Verdict(question, True))
        revise = points_to_revise(cell)
        if revise and verdict.passed:
            verdict.passed, verdict.messages = False, revise
        if index in errors and verdict.passed:
            verdict.passed = False
            verdict.messages = ([f"cellule {index} arrêtée au bout de {timeout} s (délai par cellule)"] if index in execution.timeouts
                                else error_lines(errors[index], cell.outputs))
    written = {tp5(c)["written"]: c.source.strip() != WRITTEN
               for c in execution.notebook.cells if tp5(c).get("written")}
    ordered = sorted(verdicts.values(), key=lambda v: question_key(v.question))
    return Report(part, ordered, written, notes)


def format_report(path: pathlib.Path, report: Report) -> str:
    lines = [f"Vérification de {path} (partie {report.part}, ré-exécutée dans un noyau neuf, mode rapide)"]
    lines += [f"  NOTE : {note}" for note in report.notes]
    for verdict in report.verdicts:
        lines.append(f"  {'✔' if verdict.passed else '✘'} Question {verdict.question}")
        lines += [f"      {message}" for message in verdict.messages]
    if report.written:
        missing = [q for q, done in report.written.items() if not done]
        lines.append(f"  Réponses rédigées : {len(report.written) - len(missing)} / {len(report.written)}"
                     + (f" (vides : {', '.join(missing)})" if missing else ""))
    lines.append(f"Score : {report.score} / {len(report.verdicts)}")
    return "\n".join(lines)
