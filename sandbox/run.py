"""One command run in a sandbox (or, with --unsafe, outside one): its output in a log, its results on a
pipe of its own whose file descriptor replaces the argument RESULTS_FD, its time limit, and its end:
the sandbox's process 1 and everything in its control group."""
from __future__ import annotations

import os
import pathlib
import subprocess
import threading
from dataclasses import dataclass

from common.paths import ROOT

from .groups import Group
from .spec import PRLIMIT, Spec, command

#: The argument that stands for the results pipe's file descriptor in a command given to run().
RESULTS_FD = "{results-fd}"


def end_sandbox(pid: int) -> None:
    """Ends a sandbox run by bubblewrap's process `pid`: first the sandbox's process 1 (which dropped its
    parent-death signal with its privileges, and ignores what its own children send), so that every
    process of its namespace ends with it; then bubblewrap."""
    try:
        children = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        try:
            os.kill(int(child), 9)
        except ProcessLookupError:
            pass
    os.killpg(pid, 9)


@dataclass(frozen=True)
class GroupBounds:
    """The control group a sandboxed run is started in (groups.py): its name, its total memory (the
    in-memory folders included) and its processes."""
    name: str
    memory_bytes: int
    processes: int


@dataclass(frozen=True)
class Run:
    """One command to run, in the sandbox `sandbox` describes or, when it is None, outside any (the
    grader's --unsafe: the address-space bound alone, the environment `environment` added to the caller's)."""
    #: The command; the argument RESULTS_FD stands for the results pipe's file descriptor.
    command: list[str]
    #: Where its output (stdout and stderr) goes.
    log: pathlib.Path
    #: Seconds before it is ended.
    timeout: int
    sandbox: Spec | None
    group: GroupBounds | None = None
    #: Without a sandbox: the variables added to the caller's environment, and the address-space bound.
    environment: dict[str, str] | None = None
    memory_bytes: int = 0
    #: What is kept of the results pipe, at most.
    results_limit: int = 256 * 1024 ** 2


@dataclass(frozen=True)
class Outcome:
    #: "" or why the run did not end well (time limit, exit status).
    problem: str
    #: What the run wrote on its results pipe (at most the run's `results_limit` bytes).
    results: bytes
    results_truncated: bool


def run(spec: Run) -> Outcome:
    """Runs `spec.command`, its output in `spec.log`; it may write its results on a pipe, whose file
    descriptor replaces the argument RESULTS_FD."""
    group: Group | None = None
    if spec.sandbox is not None:
        args = command(spec.sandbox, spec.command)
        if spec.group is not None:
            group = Group(spec.group.name, spec.group.memory_bytes, spec.group.processes)
            args = group.wrap(args)
        env = None
    else:
        env = {**os.environ, **(spec.environment or {})}
        args = [PRLIMIT or "prlimit", f"--as={spec.memory_bytes}", "--", *spec.command]
    read_end, write_end = os.pipe()
    chunks: list[bytes] = []
    size = [0, False]

    def collect() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                chunk = pipe.read(1 << 16)
                if not chunk:
                    return
                if size[0] + len(chunk) > spec.results_limit:
                    size[1] = True
                    continue  # keep draining, so that the writer never blocks
                chunks.append(chunk)
                size[0] += len(chunk)

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    process = None
    try:
        with open(spec.log, "w", encoding="utf-8") as out:
            args = [str(write_end) if arg == RESULTS_FD else arg for arg in args]
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True, pass_fds=(write_end,))
            os.close(write_end)
            try:
                status = process.wait(timeout=spec.timeout)
                problem = "" if status == 0 else f"s'est terminé avec le code {status}"
            except subprocess.TimeoutExpired:
                end_sandbox(process.pid)
                process.wait()
                problem = f"délai de {spec.timeout} s dépassé : arrêté"
        reader.join(timeout=30)
    finally:
        if process is not None and process.poll() is None:
            # The caller itself is stopping (Ctrl+C): the sandbox's process 1 would not end with it.
            end_sandbox(process.pid)
        if group is not None:
            group.kill()
            group.close()
    return Outcome(problem, b"".join(chunks), bool(size[1]))
