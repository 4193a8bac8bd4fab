"""A sandboxed run as the grader starts it (bubblewrap; skipped with its reason where no sandbox can be
had): its process survives a `kill -1` from its children, and a run past its time limit ends whole,
a detached process included, within seconds."""
import subprocess
import time

import pytest

from scripts.tp5nb import sandbox

WHY_NOT = sandbox.unavailable()
needs_sandbox = pytest.mark.skipif(bool(WHY_NOT), reason=f"no sandbox here: {WHY_NOT}")


@needs_sandbox
def test_kill_minus_one_from_a_child_does_not_end_the_run(tmp_path):
    log = tmp_path / "run.log"
    code = "import subprocess; subprocess.run(['sh', '-c', 'sleep 30 & kill -9 -1']); print('encore là', flush=True)"
    outcome = sandbox.run(sandbox.Run([sandbox.PYTHON, "-c", code], log, 60))
    assert outcome.problem == ""
    assert "encore là" in log.read_text()


@needs_sandbox
def test_a_run_past_its_time_limit_ends_whole(tmp_path):
    started = time.monotonic()
    code = "import os, time; os.system('sleep 657 &'); time.sleep(100)"
    outcome = sandbox.run(sandbox.Run([sandbox.PYTHON, "-c", code], tmp_path / "run.log", 3))
    assert outcome.problem == "délai de 3 s dépassé : arrêté"
    assert time.monotonic() - started < 15
    assert subprocess.run(["pgrep", "-f", "sleep 657"], capture_output=True).returncode == 1
