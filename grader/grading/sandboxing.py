"""What the grader asks of the sandbox (sandbox/) for a hand-in's run and for its judge: a user per
parallel slot, the inputs shown read-only at INPUTS, a scratch folder in memory at SCRATCH (also the
kernel's working folder), the grader's own code, the only environment a run sees, and the bounds
(Limits). With --unsafe, the same command runs outside any sandbox, bounded in address space only."""
from __future__ import annotations

import os
import pathlib
import shutil
from dataclasses import dataclass

import sandbox
from common.paths import ROOT, VENV_BIN

#: Where the scratch folder and the inputs appear inside the sandbox: under the project's path, so
#: that `import "tp5-lab"` finds node_modules/tp5-lab as it does beside the notebooks.
SCRATCH = ROOT / "rendu"
INPUTS = ROOT / "entree"
#: The sandboxes' users: one uid per parallel slot, so that their process limits are their own.
FIRST_UID = 64000
#: What a run reads of the project besides the runtime: the runner (grader/inside.py, execute.py,
#: limit_output.py) and the compiled judge (grader/judge.ts).
GRADER_CODE = (ROOT / "grader", ROOT / "build" / "grader")


@dataclass(frozen=True)
class Limits:
    """The bounds of one hand-in's run (and of its judge's)."""
    memory_bytes: int = 4 * 1024 ** 3
    tmp_bytes: int = 512 * 1024 ** 2
    processes: int = 1024
    file_bytes: int = 256 * 1024 ** 2
    #: Cores the run may use (None: all of them).
    cores: tuple[int, ...] | None = None


def environment() -> dict[str, str]:
    """The only variables a run sees: nothing of the teacher's environment."""
    return {
        "PATH": f"{VENV_BIN}:{pathlib.Path(shutil.which('node') or '/usr/bin/node').parent}:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "TP5_QUICK": "1",
        # Check cells report without stopping the notebook: each question is judged on its own.
        "TP5_GRADING": "1",
        "TP5_OFFLINE": "1",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # The JavaScript heap of a kernel; native allocations are bounded by the address-space limit.
        "NODE_OPTIONS": "--max-old-space-size=3072",
    }


def hand_in_sandbox(limits: Limits, slot: int, inputs: pathlib.Path | None, scratch_bytes: int) -> sandbox.Spec:
    """The sandbox of slot `slot`: its own user; `inputs` read-only at INPUTS; a scratch folder of
    `scratch_bytes` (0: none) at SCRATCH, where the command starts; the command as its process 1, which a
    `kill -1` from its children does not reach (a hand-in's last cell cannot take the results down with it)."""
    uid = FIRST_UID + slot
    return sandbox.Spec(
        uid=uid, gid=uid, workdir=SCRATCH if scratch_bytes else pathlib.Path("/tmp"),
        reads=tuple(folder for folder in GRADER_CODE if folder.exists()),
        shows=((inputs, INPUTS),) if inputs is not None else (),
        memory_folders=((SCRATCH, scratch_bytes),) if scratch_bytes else (),
        environment=environment(), first_process=True, tmp_bytes=limits.tmp_bytes,
        limits=sandbox.ProcessLimits(limits.memory_bytes, limits.processes, limits.file_bytes), cores=limits.cores)


def run(command: list[str], log: pathlib.Path, *, timeout: int, limits: Limits, slot: int, sandboxed: bool,
        inputs: pathlib.Path | None = None, scratch_bytes: int = 0) -> sandbox.Outcome:
    """Runs `command` in slot `slot`'s sandbox (or, not `sandboxed`, outside any); sandbox.RESULTS_FD in
    it stands for the results pipe."""
    if not sandboxed:
        return sandbox.run(sandbox.Run(command=command, log=log, timeout=timeout, sandbox=None, memory_bytes=limits.memory_bytes,
                                       environment={**environment(), "HOME": os.environ.get("HOME", "/tmp")}))
    group = sandbox.GroupBounds(f"tp5-{os.getpid()}-{slot}", limits.memory_bytes + limits.tmp_bytes, limits.processes)
    return sandbox.run(sandbox.Run(command=command, log=log, timeout=timeout,
                                   sandbox=hand_in_sandbox(limits, slot, inputs, scratch_bytes), group=group))
