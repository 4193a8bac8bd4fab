"""What runs inside a hand-in's sandbox: the prepared hand-in (given cells put back, export cells after
each check cell) in a fresh tslab kernel whose working folder is the scratch folder, then its results
written as one tar archive on the results pipe: executed.ipynb (each cell's outputs capped:
limit_output.py), run.json (the cells that failed, ran too long or printed too much, and where the run
stopped if it did not end) and answers/ (what the export cells wrote).

It runs as the sandbox's process 1, which the hand-in's `kill -1` does not reach, and keeps its own
deadline (--run-seconds, shorter than the grader's limit): past it no cell starts, and what the cells
before it exported is still sent. Nothing else of the project is imported here: the sandbox shows only
the runtime.

  python -m scripts.tp5nb.inside NOTEBOOK SCRATCH --cell-timeout S --run-seconds S --results-fd FD
"""
import argparse
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
#: How many cells that kill the kernel a hand-in may have before it is given up.
KERNEL_DEATHS = 3


def run(notebook: nbformat.NotebookNode, scratch: pathlib.Path, cell_timeout: int, run_seconds: float) -> tuple:
    """Runs every cell; a cell that kills the kernel is taken out and the notebook runs again from the
    start without it, so that it costs its own question only. Returns the executed notebook and run.json's
    content; `stopped` in it says before which cell the run ended, and why, when it did not reach the end."""
    deadline = time.monotonic() + run_seconds
    killed, stopped = [], None
    while True:
        try:
            execution = execute(clear_outputs(notebook), scratch, cell_timeout, allow_errors=True, quick=True, deadline=deadline)
            break
        except KernelDied as death:
            if death.index < 0 or len(killed) >= KERNEL_DEATHS:
                # Given up: what the cells before this one exported is judged all the same.
                stopped = {"cell": max(death.index, 0), "reason": "noyau" if death.index >= 0 else "démarrage"}
                execution = None
                break
            killed.append(death.index)
            notebook.cells[death.index].source = KILLED_CELL
    if execution is not None and execution.stopped_before is not None:
        stopped = {"cell": execution.stopped_before, "reason": "délai"}
    errors = [{"cell": e.index, "message": e.message} for e in (execution.errors if execution else []) if e.index not in killed]
    errors += [{"cell": index, "message": "elle a arrêté le noyau (plantage ou limite de mémoire) : retirée"} for index in killed]
    return (execution.notebook if execution else notebook,
            {"errors": sorted(errors, key=lambda e: e["cell"]), "timeouts": execution.timeouts if execution else [], "stopped": stopped})


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def send(results_fd: int, executed: nbformat.NotebookNode, run_info: dict, answers: pathlib.Path) -> None:
    """The results as a tar stream: regular files only (a link the hand-in made is left out)."""
    with os.fdopen(results_fd, "wb") as pipe, tarfile.open(fileobj=pipe, mode="w|") as archive:
        add_bytes(archive, "executed.ipynb", nbformat.writes(executed).encode("utf-8"))
        add_bytes(archive, "run.json", json.dumps(run_info).encode("utf-8"))
        if answers.is_dir():
            for path in sorted(answers.iterdir()):
                if path.is_file() and not path.is_symlink():
                    add_bytes(archive, f"answers/{path.name}", path.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.tp5nb.inside")
    parser.add_argument("notebook", type=pathlib.Path)
    parser.add_argument("scratch", type=pathlib.Path)
    parser.add_argument("--cell-timeout", type=int, required=True)
    parser.add_argument("--run-seconds", type=float, required=True)
    parser.add_argument("--results-fd", type=int, required=True)
    args = parser.parse_args()
    executed, run_info = run(nbformat.read(args.notebook, as_version=4), args.scratch, args.cell_timeout, args.run_seconds)
    run_info["cut"] = limit_outputs(executed)
    send(args.results_fd, executed, run_info, args.scratch / "answers")


if __name__ == "__main__":
    main()
