"""A sandboxed run as the grader starts it (bubblewrap; skipped with its reason where no sandbox can be
had): its process survives a `kill -1` from its children, and a run past its time limit ends whole,
a detached process included, within seconds."""
import subprocess
import time

import pytest

import sandbox
from common.paths import PYTHON
from grader.grading.sandboxing import Limits, run

WHY_NOT = sandbox.unavailable()
needs_sandbox = pytest.mark.skipif(bool(WHY_NOT), reason=f"no sandbox here: {WHY_NOT}")


@needs_sandbox
def test_kill_minus_one_from_a_child_does_not_end_the_run(tmp_path):
    log = tmp_path / "run.log"
    code = "import subprocess; subprocess.run(['sh', '-c', 'sleep 30 & kill -9 -1']); print('encore là', flush=True)"
    outcome = run([PYTHON, "-c", code], log, timeout=60, limits=Limits(), slot=0, sandboxed=True)
    assert outcome.problem == ""
    assert "encore là" in log.read_text()


@needs_sandbox
def test_a_run_past_its_time_limit_ends_whole(tmp_path):
    started = time.monotonic()
    code = "import os, time; os.system('sleep 657 &'); time.sleep(100)"
    outcome = run([PYTHON, "-c", code], tmp_path / "run.log", timeout=3, limits=Limits(), slot=0, sandboxed=True)
    assert outcome.problem == "délai de 3 s dépassé : arrêté"
    assert time.monotonic() - started < 15
    assert subprocess.run(["pgrep", "-f", "sleep 657"], capture_output=True).returncode == 1
