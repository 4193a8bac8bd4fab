"""What a sandbox is (Spec) and the bubblewrap command that makes it (command): its file tree, its
namespaces, its user, its bounds."""
from __future__ import annotations

import os
import pathlib
import shutil
import sys
from dataclasses import dataclass

from common.paths import ROOT

BWRAP = shutil.which("bwrap")
SETPRIV = shutil.which("setpriv")
PRLIMIT = shutil.which("prlimit")
Path = pathlib.Path

#: Inside the .venv but not needed by any sandbox, and holding notebooks: hidden.
HIDDEN = [".venv/lib/python{v.major}.{v.minor}/site-packages/nbgrader".format(v=sys.version_info)]


@dataclass(frozen=True)
class ProcessLimits:
    """Bounds on each process (prlimit): its address space, its user's processes, each file it writes."""
    memory_bytes: int
    processes: int
    file_bytes: int


@dataclass(frozen=True)
class Spec:
    """One sandbox, as its user describes it."""
    #: The user and group it runs as (never root's).
    uid: int
    gid: int
    #: Where its command starts.
    workdir: Path
    #: The project's parts it reads besides the runtime (runtime_folders), at their own paths.
    reads: tuple[Path, ...] = ()
    #: Files or folders shown read-only: (on the machine, inside).
    shows: tuple[tuple[Path, Path], ...] = ()
    #: Folders it may write: (on the machine, inside).
    writes: tuple[tuple[Path, Path], ...] = ()
    #: The private /tmp's size, in bytes (in memory, counted in its memory).
    tmp_bytes: int = 512 * 1024 ** 2
    #: Other private folders in memory, writable by all (the path inside → its size in bytes).
    memory_folders: tuple[tuple[Path, int], ...] = ()
    #: Symbolic links made inside: (target, link).
    links: tuple[tuple[str, Path], ...] = ()
    #: Its only environment variables (None: the caller's, as given to the process that runs the command).
    environment: dict[str, str] | None = None
    hostname: str = ""
    #: The command is its process namespace's process 1, which a `kill -1` from its children does not reach.
    first_process: bool = False
    limits: ProcessLimits | None = None
    #: The cores it may use (None: all of them).
    cores: tuple[int, ...] | None = None


def running_as_root() -> bool:
    return os.geteuid() == 0


def runtime_folders() -> list[Path]:
    """What every sandbox reads besides /usr and /etc: the project's runtime (never the notebooks or
    .git), the Python install the .venv links into, Node.js where it is not under /usr, the shared data."""
    folders = [ROOT / "package.json", ROOT / "node_modules", ROOT / ".venv", ROOT / "build" / "lib",
               ROOT / "common", pathlib.Path(sys.base_prefix).resolve(), (ROOT.parent / "shared" / "datasets").resolve()]
    node = shutil.which("node")
    if node:
        prefix = pathlib.Path(node).resolve().parents[1]
        if not str(prefix).startswith("/usr"):
            folders.append(prefix)
    return [folder for folder in folders if folder.exists()]


def system_view(tmp_bytes: int) -> list[str]:
    """bubblewrap's arguments for the system's part: /usr and /etc read-only (without their secrets), a
    new /dev and /proc, a private size-capped /tmp."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc",
            "--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = pathlib.Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    for secret in ("/etc/shadow", "/etc/gshadow", "/etc/sudoers"):
        if os.path.exists(secret):
            args += ["--ro-bind", "/dev/null", secret]
    return args


def runtime_view(folders: list[Path], places: list[Path]) -> list[str]:
    """bubblewrap's arguments that show `folders` read-only, and make the folders above them and above
    `places` (where more is mounted) passable, as bubblewrap would make them for root alone; only those
    inside the project can be listed (Python lists the folders it imports from)."""
    mounted = [pathlib.Path("/usr"), pathlib.Path("/etc"), *folders]
    above = {parent for place in [*folders, *places] for parent in place.parents
             if parent != pathlib.Path("/") and not any(parent == m or m in parent.parents for m in mounted)}
    args = []
    for parent in sorted(above, key=lambda p: len(p.parts)):
        listable = parent == ROOT or ROOT in parent.parents
        args += ["--perms", "0755" if listable else "0711", "--dir", str(parent)]
    for folder in folders:
        args += ["--ro-bind", str(folder), str(folder)]
    for hidden in HIDDEN:
        if (ROOT / hidden).exists():
            args += ["--tmpfs", str(ROOT / hidden)]
    return args


def command(spec: Spec, inner: list[str]) -> list[str]:
    """The command that runs `inner` in the sandbox `spec` describes."""
    if BWRAP is None:
        raise RuntimeError("bubblewrap n'est pas installé")
    places = [inside for _, inside in (*spec.shows, *spec.writes)] + [inside for inside, _ in spec.memory_folders]
    args = [BWRAP, *system_view(spec.tmp_bytes), *runtime_view([*runtime_folders(), *spec.reads], places)]
    for outside, inside in spec.shows:
        args += ["--ro-bind", str(outside), str(inside)]
    for outside, inside in spec.writes:
        args += ["--bind", str(outside), str(inside)]
    for inside, size in spec.memory_folders:
        args += ["--perms", "1777", "--size", str(size), "--tmpfs", str(inside)]
    for target, link in spec.links:
        args += ["--symlink", target, str(link)]
    args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
             "--die-with-parent", "--new-session"]
    if spec.hostname:
        args += ["--hostname", spec.hostname]
    if spec.first_process:
        args += ["--as-pid-1"]
    if not running_as_root():
        args += ["--unshare-user", "--uid", str(spec.uid), "--gid", str(spec.gid), "--cap-drop", "ALL"]
    if spec.environment is not None:
        args += ["--clearenv"]
        for key, value in spec.environment.items():
            args += ["--setenv", key, value]
    args += ["--chdir", str(spec.workdir), "--"]
    if running_as_root():
        if SETPRIV is None:
            raise RuntimeError("setpriv manque (paquet Debian util-linux)")
        args += [SETPRIV, f"--reuid={spec.uid}", f"--regid={spec.gid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
    if spec.limits is not None:
        args += [PRLIMIT or "prlimit", f"--as={spec.limits.memory_bytes}", f"--nproc={spec.limits.processes}",
                 f"--fsize={spec.limits.file_bytes}", "--core=0", "--"]
    args += inner
    if spec.cores:
        args = ["taskset", "--cpu-list", ",".join(str(c) for c in spec.cores), *args]
    return args
