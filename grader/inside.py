"""What runs inside a hand-in's sandbox: the prepared hand-in (given cells put back, export cells after
each check cell) in a fresh tslab kernel whose working folder is the scratch folder, its results
streamed as one tar archive on the results pipe: answers/ (what each export cell wrote, read as soon as
that cell has run, so that no later cell of the hand-in can change it, and sent at once, so that a run
cut short still gives them), then executed.ipynb (each cell's outputs capped: limit_output.py) and
run.json (the cells that failed, ran too long or printed too much, and where the run stopped if it did
not end).

It runs as the sandbox's process 1, which the hand-in's `kill -1` does not reach, made undumpable so
that the kernel (the same user) cannot read or write its memory; it keeps its own deadline
(--run-seconds, shorter than the grader's limit): past it no cell starts. A kernel that dies is
restarted without the cell that killed it; one that no longer answers (stopped, or deaf to the stop
signal) is ended the same way. Nothing else of the project is imported here: the sandbox shows only the
runtime.

  python -m grader.inside NOTEBOOK SCRATCH --cell-timeout S --run-seconds S --results-fd FD
"""
import argparse
import ctypes
import io
import json
import os
import pathlib
import tarfile
import time

import nbformat

from .execute import KernelDied, clear_outputs, execute
from .limit_output import limit_outputs

KILLED_CELL = "// Cellule retirée par le correcteur : elle a arrêté le noyau (plantage ou limite de mémoire)."
KILLED_NOTE = "elle a arrêté le noyau (plantage ou limite de mémoire) : retirée"
FROZEN_CELL = "// Cellule retirée par le correcteur : après elle, le noyau ne répondait plus."
FROZEN_NOTE = "après elle, le noyau ne répondait plus (ni à ■ ni aux messages) : arrêté"
#: How many cells that kill the kernel a hand-in may have before it is given up.
KERNEL_DEATHS = 3


class Results:
    """The results pipe, as a tar stream written member by member: a reader keeps every member sent
    before the stream was cut. Regular files only (a link the hand-in made is left out)."""

    def __init__(self, fd: int):
        self.pipe = os.fdopen(fd, "wb")
        self.archive = tarfile.open(fileobj=self.pipe, mode="w|")

    def add(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        self.archive.addfile(info, io.BytesIO(data))
        self.pipe.flush()

    def close(self) -> None:
        self.archive.close()
        self.pipe.close()


def exported_files(answers: pathlib.Path, name: str) -> list:
    """The files an export cell writes for the value `name`: NAME.json and its NAME.N.bin."""
    if not answers.is_dir():
        return []
    return sorted(p for p in answers.iterdir() if (p.name == f"{name}.json" or (p.name.startswith(f"{name}.") and p.suffix == ".bin"))
                  and p.is_file() and not p.is_symlink())


def run(notebook: nbformat.NotebookNode, scratch: pathlib.Path, cell_timeout: int, run_seconds: float,
        results: Results) -> tuple:
    """Runs every cell; a cell that kills the kernel, or after which it no longer answers, is taken out
    and the notebook runs again from the start without it, so that it costs its own question only (when
    nothing is left to judge after it, the run simply ends there). Each export cell's files are sent as
    soon as it has run. Returns the executed notebook and run.json's
    content; `stopped` in it says before which cell the run ended, and why, when it did not reach the end."""
    deadline = time.monotonic() + run_seconds
    answers = scratch / "answers"

    def send_exports(_: int, cell: nbformat.NotebookNode) -> None:
        name = cell.get("metadata", {}).get("tp5", {}).get("export")
        for path in exported_files(answers, name) if name else []:
            results.add(f"answers/{path.name}", path.read_bytes())

    killed, frozen, stopped = [], [], None
    while True:
        try:
            execution = execute(clear_outputs(notebook), scratch, cell_timeout, allow_errors=True, quick=True, deadline=deadline,
                                after_cell=send_exports)
            break
        except KernelDied as death:
            if death.index < 0 or len(killed) >= KERNEL_DEATHS:
                # Given up: what the cells before this one exported is judged all the same.
                stopped = {"cell": max(death.index, 0), "reason": "noyau" if death.index >= 0 else "démarrage"}
                execution = None
                break
            killed.append(death.index)
            if death.frozen:
                frozen.append(death.index)
            if not any(cell.get("metadata", {}).get("tp5", {}).get("export") for cell in notebook.cells[death.index:]):
                # Nothing left to judge after it: what ran before stands, without a second run.
                execution = death.partial
                break
            notebook.cells[death.index].source = FROZEN_CELL if death.frozen else KILLED_CELL
    if execution is not None and execution.stopped_before is not None:
        stopped = {"cell": execution.stopped_before, "reason": "délai"}
    errors = [{"cell": e.index, "message": e.message} for e in (execution.errors if execution else []) if e.index not in killed]
    errors += [{"cell": index, "message": FROZEN_NOTE if index in frozen else KILLED_NOTE} for index in killed]
    timeouts = [index for index in (execution.timeouts if execution else []) if index not in killed]
    return (execution.notebook if execution else notebook,
            {"errors": sorted(errors, key=lambda e: e["cell"]), "timeouts": timeouts, "stopped": stopped})


def undumpable() -> None:
    """No process of the same user may read or write this one's memory (prctl PR_SET_DUMPABLE 0)."""
    ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m grader.inside")
    parser.add_argument("notebook", type=pathlib.Path)
    parser.add_argument("scratch", type=pathlib.Path)
    parser.add_argument("--cell-timeout", type=int, required=True)
    parser.add_argument("--run-seconds", type=float, required=True)
    parser.add_argument("--results-fd", type=int, required=True)
    args = parser.parse_args()
    undumpable()
    results = Results(args.results_fd)
    executed, run_info = run(nbformat.read(args.notebook, as_version=4), args.scratch, args.cell_timeout, args.run_seconds, results)
    run_info["cut"] = limit_outputs(executed)
    results.add("executed.ipynb", nbformat.writes(executed).encode("utf-8"))
    results.add("run.json", json.dumps(run_info).encode("utf-8"))
    results.close()


if __name__ == "__main__":
    main()
