"""What each sandbox is made of, as its two users ask for it: a hand-in's (the grader) and a student's
JupyterLab (the class server). How they hold is checked from inside, by test_sandbox_run.py, the grading
test and the class server's test; here, that they are asked for as intended."""
import pathlib

import sandbox
from common.paths import ROOT
from grader.grading.sandboxing import FIRST_UID, INPUTS, SCRATCH, Limits, hand_in_sandbox
from hub.spawner import SESSION_FOLDERS


def inside(folder: pathlib.Path, parent: pathlib.Path) -> bool:
    return folder == parent or parent in folder.parents


def test_the_runtime_every_sandbox_reads_holds_no_solution_and_no_teacher_s_code() -> None:
    for folder in sandbox.runtime_folders():
        for hidden in ("notebooks", ".git", "hub", "grader", "test"):
            assert not inside(folder, ROOT / hidden), folder


def test_a_student_s_jupyterlab_reads_the_session_and_nothing_of_the_hub_or_the_grader() -> None:
    assert ROOT / "session" in SESSION_FOLDERS
    for folder in SESSION_FOLDERS:
        assert not inside(folder, ROOT / "hub") and not inside(folder, ROOT / "grader"), folder


def test_a_hand_in_s_sandbox_runs_as_its_slot_s_user_bounded_in_its_own_cores_with_only_its_inputs() -> None:
    limits = Limits(memory_bytes=2 << 30, processes=256, file_bytes=1 << 20, cores=(1,))
    spec = hand_in_sandbox(limits, slot=1, inputs=pathlib.Path("/srv/rendu-7"), scratch_bytes=64 << 20)
    args = sandbox.command(spec, ["python", "-m", "grader.inside"])
    assert spec.uid == spec.gid == FIRST_UID + 1
    assert args[:3] == ["taskset", "--cpu-list", "1"]
    assert ["--ro-bind", "/srv/rendu-7", str(INPUTS)] == args[args.index("/srv/rendu-7") - 1:args.index("/srv/rendu-7") + 2]
    assert str(SCRATCH) in args and "--as-pid-1" in args and "--clearenv" in args and "--unshare-net" in args
    assert f"--as={2 << 30}" in args and "--nproc=256" in args
    assert args[-3:] == ["python", "-m", "grader.inside"]
    if sandbox.running_as_root():
        assert f"--reuid={FIRST_UID + 1}" in args and "--no-new-privs" in args
    # Nothing of the teacher's environment: only the variables the grader names.
    settings = [args[i + 1] for i, arg in enumerate(args) if arg == "--setenv"]
    assert "HOME" in settings and "TP5_GRADING" in settings and "SSH_AUTH_SOCK" not in settings
