"""The hand-in's run: in a sandbox (sandboxing.py), in quick mode, in a fresh tslab kernel (inside.py); its
results come back through a pipe as a tar stream, unpacked into a folder of the grader's own. Then a note
for each cell that failed, ran too long or printed too much, and for where the run stopped."""
import io
import json
import pathlib
import re
import shutil
from typing import Any
import tarfile

import nbformat

import sandbox
from common.conventions import tp5
from common.paths import PYTHON

from . import sandboxing
from .handin import HandIn
from .prepare import handin_number
from .records import NoteKind, one_line


def run_in_sandbox(handin: HandIn) -> None:
    """Runs the prepared hand-in and unpacks its results into places.results."""
    places, options = handin.places, handin.options
    if not options.sandboxed:
        shutil.rmtree(places.scratch_seen, ignore_errors=True)
        places.scratch_seen.mkdir(parents=True)
    inside = [PYTHON, "-m", "grader.inside", str(places.inputs_seen / "handin.ipynb"), str(places.scratch_seen),
              "--cell-timeout", str(options.cell_timeout), "--run-seconds", str(options.run_seconds),
              "--results-fd", sandbox.RESULTS_FD]
    outcome = sandboxing.run(inside, places.work / "run.log", timeout=options.notebook_timeout, limits=options.limits,
                             slot=places.slot, sandboxed=options.sandboxed, inputs=places.inputs,
                             scratch_bytes=options.limits.tmp_bytes)
    if not options.sandboxed:
        shutil.rmtree(places.scratch_seen, ignore_errors=True)
    if outcome.problem:
        handin.note("run", f"exécution du carnet : {outcome.problem}")
    if outcome.results_truncated:
        handin.note("run", "résultats de l'exécution trop volumineux : ignorés")
    elif outcome.results:
        unpack(outcome.results, places.results, handin)


def unpack(stream: bytes, folder: pathlib.Path, handin: HandIn) -> None:
    """The results' tar stream unpacked member by member: a stream cut short (a run ended at the grader's
    limit) still gives every member sent before. Regular files only, inside the folder (the "data"
    filter refuses links and absolute paths)."""
    member = None
    try:
        with tarfile.open(fileobj=io.BytesIO(stream), mode="r|") as archive:
            for member in archive:
                if member.isfile():
                    archive.extract(member, folder, filter="data")
            member = None
    except (tarfile.TarError, OSError, EOFError) as error:
        # The member being unpacked when the stream ended (only part of it came), where it is inside the
        # folder: one the filter refused was never written.
        partial = (folder / member.name).resolve() if member is not None else None
        if partial is not None and folder.resolve() in partial.parents:
            partial.unlink(missing_ok=True)
        if (folder / "run.json").exists():
            handin.note("run", f"résultats de l'exécution illisibles : {error}")


STOPPED = {
    "délai": "le carnet a atteint son délai ({seconds:g} s) : arrêté avant cette cellule ; les questions suivantes ne sont pas jugées",
    "noyau": "le noyau s'est arrêté trop de fois : exécution abandonnée avant cette cellule ; les questions suivantes ne sont pas jugées",
    "démarrage": "le noyau s'est arrêté avant la première cellule : rien n'a été exécuté",
}


def note_cell_problems(handin: HandIn) -> None:
    """A note per cell that failed, ran too long or printed too much (the export cells aside), and where
    the run stopped if it did not reach the end; each cell cited by its number in the hand-in as the
    student sees it. An answer still to write and a check that found points to revise are left to their
    question's verdict, which says it."""
    results = handin.places.results
    run_file, executed_file = results / "run.json", results / "executed.ipynb"
    run = json.loads(run_file.read_text()) if run_file.exists() else {}
    executed = nbformat.read(executed_file, as_version=4) if executed_file.exists() else None

    def cell(index: int) -> dict[str, Any]:
        return executed.cells[index] if executed and 0 <= index < len(executed.cells) else {}

    def question(index: int) -> str:
        return str(tp5(cell(index)).get("answer") or tp5(cell(index)).get("check") or tp5(cell(index)).get("question") or "")

    def told_by_verdict(index: int, message: str) -> bool:
        marks = tp5(cell(index))
        return bool(marks.get("export") or re.match(r"^Question [\d.]+ à compléter", message)
                    or (marks.get("check") and re.match(r"^Question [\d.]+ à revoir", message)))

    def note(kind: NoteKind, message: str, index: int) -> None:
        handin.note(kind, message, question(index), handin_number(cell(index)))

    timeouts = run.get("timeouts", [])
    for error in run.get("errors", []):
        index = error["cell"]
        message = (f"arrêtée au bout de {handin.options.cell_timeout} s" if index in timeouts
                   else one_line(error["message"]) or "erreur")
        if not told_by_verdict(index, message):
            note("cell", message, index)
    for cut in run.get("cut", []):
        note("cell", cut["message"], cut["cell"])
    stopped = run.get("stopped")
    if stopped:
        message = STOPPED.get(stopped["reason"], "exécution arrêtée avant cette cellule").format(seconds=handin.options.run_seconds)
        note("run", message, stopped["cell"])

