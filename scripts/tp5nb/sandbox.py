"""The sandbox a hand-in runs in: bubblewrap (Debian's `bubblewrap`) with the whole system read-only,
no network, private /tmp, /root and /home, a scrubbed environment, a memory limit, and every process it
starts ended with it. Only its own scratch folder is writable."""
import os
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
BWRAP = shutil.which("bwrap")


def unavailable() -> str:
    """Why no sandbox can be had here ("" when one can)."""
    if sys.platform != "linux":
        return "le bac à sable (bubblewrap) n'existe que sous Linux"
    if BWRAP is None:
        return "bubblewrap n'est pas installé (paquet Debian « bubblewrap » : apt-get install bubblewrap)"
    probe = subprocess.run([BWRAP, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
                            "--unshare-pid", "--die-with-parent", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap ne démarre pas ici : {probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else probe.returncode}"
    return ""


def environment(venv_bin: pathlib.Path) -> dict:
    """The only variables a hand-in sees: nothing of the teacher's environment."""
    return {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp/home",
        "LANG": "C.UTF-8",
        "TP5_QUICK": "1",
        # Check cells report without stopping the notebook: each question is judged on its own.
        "TP5_GRADING": "1",
        "TP5_OFFLINE": "1",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # The JavaScript heap of a kernel; native allocations are bounded by the address-space limit.
        "NODE_OPTIONS": "--max-old-space-size=3072",
    }


def visible_installs() -> list:
    """Folders outside the usual system ones that the project's programs need: the Python install the
    .venv links into (often under /root or /home, which the sandbox hides) and the shared data beside
    the project."""
    folders = [pathlib.Path(sys.base_prefix).resolve(), (ROOT.parent / "shared").resolve()]
    return [folder for folder in folders if folder.exists()]


def command(inner: list, writable: pathlib.Path, memory_bytes: int, sandboxed: bool) -> tuple:
    """The command and environment that run `inner` from the project root, sandboxed or (--unsafe) not."""
    venv_bin = ROOT / ".venv" / "bin"
    env = environment(venv_bin)
    limited = ["prlimit", f"--as={memory_bytes}", "--", *inner]
    if not sandboxed:
        os.makedirs("/tmp/home", exist_ok=True)
        return limited, env
    args = [BWRAP, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--tmpfs", "/tmp", "--tmpfs", "/root", "--tmpfs", "/home", "--dir", "/tmp/home"]
    for folder in [ROOT, *visible_installs()]:
        args += ["--ro-bind", str(folder), str(folder)]
    args += ["--bind", str(writable), str(writable),
             "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
             "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--chdir", str(ROOT), "--", *limited]
    return args, env


def run(inner: list, writable: pathlib.Path, log: pathlib.Path, timeout: int, memory_bytes: int, sandboxed: bool) -> str:
    """Runs `inner` and returns "" or why it did not end well (time limit, exit status)."""
    args, env = command(inner, writable, memory_bytes, sandboxed)
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            return f"délai de {timeout} s dépassé : arrêté"
    return "" if status == 0 else f"s'est terminé avec le code {status}"
