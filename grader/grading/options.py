"""How a class is graded: one object the command line fills and every step reads."""
from dataclasses import dataclass, field

from .sandboxing import Limits


@dataclass
class Options:
    #: Seconds a cell may run before it is stopped (and the next one runs).
    cell_timeout: int = 120
    #: Seconds a notebook's run may take before the grader ends its sandbox.
    notebook_timeout: int = 900
    limits: Limits = field(default_factory=Limits)
    #: False: no sandbox (--unsafe, for a machine without bubblewrap).
    sandboxed: bool = True
    #: Hand-ins graded at once.
    jobs: int = 1
    #: Grade again a hand-in graded before from the same content by the same grader.
    force: bool = False

    @property
    def run_seconds(self) -> float:
        """The run's own deadline, after which no cell starts: early enough that a cell started just before
        it can reach its own time limit and the results still leave before the grader's limit."""
        return max(self.notebook_timeout / 2, self.notebook_timeout - self.cell_timeout - 30)
