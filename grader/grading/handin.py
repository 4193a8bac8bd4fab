"""One hand-in as it goes through the grading steps (pipeline.py): each step reads what it needs of it
and adds to its result."""
import os
import pathlib
from dataclasses import dataclass

import nbformat

from common.paths import ROOT

from .options import Options
from .records import Graded, Note, NoteKind
from .sandboxing import INPUTS, SCRATCH


@dataclass
class Places:
    """Where a hand-in's files are, on this machine and as its run sees them."""
    work: pathlib.Path
    sandboxed: bool
    slot: int

    @property
    def inputs(self) -> pathlib.Path:
        return self.work / "entree"

    @property
    def results(self) -> pathlib.Path:
        return self.work / "resultats"

    @property
    def scratch_seen(self) -> pathlib.Path:
        # Without the sandbox the scratch folder must still lie inside the project (import "tp5-lab").
        return SCRATCH if self.sandboxed else ROOT / "build" / f".rendu-{os.getpid()}-{self.slot}"

    @property
    def inputs_seen(self) -> pathlib.Path:
        return INPUTS if self.sandboxed else self.inputs


@dataclass
class HandIn:
    #: The notebook as it will run: the steps before the run change it (given cells, export cells).
    notebook: nbformat.NotebookNode
    #: The solution notebook of its part.
    solution: nbformat.NotebookNode
    places: Places
    options: Options
    #: The result the steps fill in.
    graded: Graded

    @property
    def part(self) -> int:
        return self.graded.part

    def note(self, kind: NoteKind, message: str, question: str = "", cell: int | None = None) -> None:
        self.graded.notes.append(Note(kind, message, question, cell))
