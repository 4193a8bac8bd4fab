"""The sandbox a hand-in (and the judge of its answers) runs in.

bubblewrap builds a new file tree that holds only what the run needs, read-only: the system's programs
and libraries (/usr, /etc), the runtime (node_modules, the compiled library, .venv and the Python
install it links into, Node.js) and the shared data. The solution notebooks, .git, the class folder,
the other hand-ins, the output folder and the teacher's home are not in it. The one writable place
besides /tmp is the hand-in's scratch folder, a memory-backed folder that is also the kernel's working
folder; the results leave through a pipe, never through a shared folder.

Inside, the run is an unprivileged user of its own (a user id per parallel slot), with no capability
and no way to gain one (no_new_privs); no network, its own process, IPC and host-name namespaces. When
grading runs as root, bubblewrap builds the tree with root's rights and setpriv then drops to that user,
so that its uid on the host is not root's; otherwise bubblewrap maps the teacher's user to it inside a
user namespace, where it has no capability either. Bounds: address space per process, processes, size
of each file, /tmp and the scratch folder (size-capped tmpfs), total memory and process count of the
whole run through a cgroup where the machine lets this program make one, the cores it may use, and the
time (the caller's timeout). `probe()` checks these claims from inside a sandbox, as a hand-in sees it.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from .paths import PYTHON, ROOT, VENV_BIN

BWRAP = shutil.which("bwrap")
SETPRIV = shutil.which("setpriv")
PRLIMIT = shutil.which("prlimit")
#: Where the scratch folder and the inputs appear inside the sandbox: under the project's path, so
#: that `import "tp5-lab"` finds node_modules/tp5-lab as it does beside the notebooks.
SCRATCH = ROOT / "rendu"
INPUTS = ROOT / "entree"
#: The argument that stands for the results pipe's file descriptor in a command given to run().
RESULTS_FD = "{results-fd}"
#: The sandboxes' users: one uid per parallel slot, so that their process limits are their own.
FIRST_UID = 64000
CGROUPS = pathlib.Path("/sys/fs/cgroup")


@dataclass
class Limits:
    memory_bytes: int = 4 * 1024 ** 3
    tmp_bytes: int = 512 * 1024 ** 2
    processes: int = 1024
    file_bytes: int = 256 * 1024 ** 2
    #: Cores the run may use (None: all of them).
    cores: tuple[int, ...] | None = None


def runtime_folders() -> list:
    """What the run reads besides /usr and /etc: the project's runtime (never the notebooks or .git),
    the Python install the .venv links into, Node.js where it is not under /usr, the shared data."""
    folders = [ROOT / "package.json", ROOT / "node_modules", ROOT / ".venv", ROOT / "build" / "lib", ROOT / "build" / "scripts",
               ROOT / "scripts" / "tp5nb", pathlib.Path(sys.base_prefix).resolve(),
               (ROOT.parent / "shared" / "datasets").resolve()]
    node = shutil.which("node")
    if node:
        prefix = pathlib.Path(node).resolve().parents[1]
        if not str(prefix).startswith("/usr"):
            folders.append(prefix)
    return [folder for folder in folders if folder.exists()]


#: Inside the .venv but not needed by a run, and holding notebooks: hidden.
HIDDEN = [".venv/lib/python{v.major}.{v.minor}/site-packages/nbgrader".format(v=sys.version_info)]


def running_as_root() -> bool:
    return os.geteuid() == 0


def unavailable() -> str:
    """Why no sandbox can be had here ("" when one can): a probe run inside one must show the claims."""
    if sys.platform != "linux":
        return "le bac à sable (bubblewrap) n'existe que sous Linux"
    if BWRAP is None:
        return "bubblewrap n'est pas installé (paquet Debian « bubblewrap » : apt-get install bubblewrap)"
    if PRLIMIT is None or (running_as_root() and SETPRIV is None):
        return "prlimit ou setpriv manque (paquet Debian « util-linux »)"
    seen = probe()
    if "error" in seen:
        return f"bubblewrap ne démarre pas ici : {seen['error']}"
    if seen["uid"] == 0 or seen["capabilities"] != 0 or seen["no_new_privs"] != 1:
        return (f"le bac à sable n'enlève pas les droits ici (uid {seen['uid']}, capacités {seen['capabilities']:x}, "
                f"no_new_privs {seen['no_new_privs']})")
    return ""


PROBE = """
import json, os
status = dict(line.split(':', 1) for line in open('/proc/self/status'))
print(json.dumps({'uid': os.getuid(), 'capabilities': int(status['CapEff'], 16), 'no_new_privs': int(status['NoNewPrivs']),
                  'project': sorted(os.listdir(%r))}))
"""


def probe() -> dict:
    """What a process inside a sandbox sees of itself: uid, effective capabilities, no_new_privs, the project's folder."""
    args = command([PYTHON, "-c", PROBE % str(ROOT)], Limits(), slot=0)
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return {"error": "la sonde n'a pas répondu en 60 s"}
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or [f"code {result.returncode}"])[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def environment() -> dict:
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


def system_view(tmp_bytes: int) -> list:
    """bubblewrap's arguments for the system's part of a sandbox: /usr and /etc read-only (without their
    secrets), a new /dev and /proc, a private size-capped /tmp."""
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


def runtime_view(folders: list, places: list) -> list:
    """bubblewrap's arguments that show `folders` read-only (the runtime, see runtime_folders), and make
    the folders above them and above `places` (where the caller mounts more) passable, as bubblewrap
    would make them for root alone; only those inside the project can be listed (Python lists the
    folders it imports from)."""
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


def file_tree(limits: Limits, inputs: pathlib.Path = None, scratch_bytes: int = 0) -> list:
    """bubblewrap's arguments for a grading sandbox's file tree (see the module's doc)."""
    args = system_view(limits.tmp_bytes) + runtime_view(runtime_folders(), [INPUTS, SCRATCH])
    if inputs is not None:
        args += ["--ro-bind", str(inputs), str(INPUTS)]
    if scratch_bytes:
        args += ["--perms", "1777", "--size", str(scratch_bytes), "--tmpfs", str(SCRATCH)]
    return args


def command(inner: list, limits: Limits, slot: int, inputs: pathlib.Path = None, scratch_bytes: int = 0) -> list:
    """The command that runs `inner` in a sandbox (see the module's doc)."""
    uid = FIRST_UID + slot
    args = [BWRAP, *file_tree(limits, inputs, scratch_bytes),
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv",
            # The command is the process namespace's process 1, which a `kill -1` from its children does
            # not reach: a hand-in's last cell cannot take the run's results down with it.
            "--as-pid-1"]
    if not running_as_root():
        args += ["--unshare-user", "--uid", str(uid), "--gid", str(uid), "--cap-drop", "ALL"]
    for key, value in environment().items():
        args += ["--setenv", key, value]
    args += ["--chdir", str(SCRATCH if scratch_bytes else "/tmp"), "--"]
    if running_as_root():
        args += [SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
    args += [PRLIMIT, f"--as={limits.memory_bytes}", f"--nproc={limits.processes}", f"--fsize={limits.file_bytes}",
             "--core=0", "--", *inner]
    if limits.cores:
        args = ["taskset", "--cpu-list", ",".join(str(c) for c in limits.cores), *args]
    return args


class Group:
    """A cgroup (v1 or v2) bounding the total memory (tmpfs included), the processes and, when `cpus` is
    given, the processor time of what runs in it, where this program may make one; otherwise only the
    per-process limits apply. It also measures: the processor time used and the highest memory use."""

    def __init__(self, name: str, memory_bytes: int, processes: int, cpus: float = None):
        self.folders = []
        self.v2 = (CGROUPS / "cgroup.controllers").exists()
        period = 100_000
        try:
            if self.v2:
                settings = {"memory.max": memory_bytes, "pids.max": processes}
                if cpus:
                    settings["cpu.max"] = f"{round(cpus * period)} {period}"
                self._make(CGROUPS / name, settings)
            else:
                self._make(CGROUPS / "memory" / name, {"memory.limit_in_bytes": memory_bytes})
                self._make(CGROUPS / "pids" / name, {"pids.max": processes})
                if cpus:
                    self._make(CGROUPS / "cpu" / name, {"cpu.cfs_period_us": period, "cpu.cfs_quota_us": round(cpus * period)})
                    if (CGROUPS / "cpuacct").resolve() != (CGROUPS / "cpu").resolve():
                        self._make(CGROUPS / "cpuacct" / name, {})
        except OSError:
            self.close()

    @classmethod
    def existing(cls, prefix: str) -> list:
        """The groups already there whose name starts with `prefix`, as they are: what a run stopped
        without its cleanup left (to end what they hold, then remove them)."""
        v2 = (CGROUPS / "cgroup.controllers").exists()
        found = {}
        for folder in sorted(CGROUPS.glob(prefix + "*") if v2 else CGROUPS.glob(f"*/{prefix}*")):
            if folder.is_dir() and not folder.parent.is_symlink():
                found.setdefault(folder.name, []).append(folder)
        groups = []
        for folders in found.values():
            group = cls.__new__(cls)
            group.v2, group.folders = v2, folders
            groups.append(group)
        return groups

    def _make(self, folder: pathlib.Path, settings: dict) -> None:
        folder.mkdir(exist_ok=True)
        self.folders.append(folder)
        for key, value in settings.items():
            (folder / key).write_text(str(value))

    @property
    def active(self) -> bool:
        return bool(self.folders)

    def join(self, pid: int) -> None:
        """Moves process `pid` (and the children it starts afterwards) into the group."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid))

    def wrap(self, args: list) -> list:
        """`args` started from inside the group (a shell moves itself in, then runs them)."""
        if not self.active:
            return args
        moves = "; ".join(f"echo $$ > {folder / 'cgroup.procs'}" for folder in self.folders)
        return ["sh", "-c", f'{moves} && exec "$@"', "sh", *args]

    def _read(self, controller: str, v1_file: str, v2_file: str) -> str:
        folder = next((f for f in self.folders if self.v2 or f.parent.name == controller), None)
        try:
            return (folder / (v2_file if self.v2 else v1_file)).read_text() if folder else ""
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """Processor time used by everything that ran in the group, in seconds (0 where unknown)."""
        if self.v2:
            usage = dict(line.split() for line in self._read("cpu", "", "cpu.stat").splitlines())
            return int(usage.get("usage_usec", 0)) / 1e6
        return int(self._read("cpuacct", "cpuacct.usage", "") or 0) / 1e9

    def peak_memory_bytes(self) -> int:
        """The highest memory use of the group so far (0 where unknown)."""
        return int(self._read("memory", "memory.max_usage_in_bytes", "memory.peak") or 0)

    def processes(self) -> list:
        text = self._read("pids", "cgroup.procs", "cgroup.procs")
        return [int(pid) for pid in text.split()]

    def kill(self) -> None:
        """Ends every process in the group (a detached one too), waiting up to five seconds."""
        for _ in range(50):
            pids = self.processes()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)

    def close(self) -> None:
        for folder in self.folders:
            try:
                folder.rmdir()
            except OSError:
                pass
        self.folders = []


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


@dataclass
class Run:
    """One command to run in a sandbox, and its bounds."""
    #: The command; the argument RESULTS_FD stands for the results pipe's file descriptor.
    command: list
    #: Where its output (stdout and stderr) goes.
    log: pathlib.Path
    #: Seconds before it is ended.
    timeout: int
    limits: Limits = field(default_factory=Limits)
    #: The parallel slot it runs in (its uid, see FIRST_UID).
    slot: int = 0
    #: False runs it without a sandbox (--unsafe): the address-space bound alone.
    sandboxed: bool = True
    #: A folder shown read-only inside, at INPUTS.
    inputs: pathlib.Path = None
    #: The size of the writable scratch folder (SCRATCH; 0: none).
    scratch_bytes: int = 0
    #: What is kept of the results pipe, at most.
    results_limit: int = 256 * 1024 ** 2


@dataclass
class Outcome:
    #: "" or why the run did not end well (time limit, exit status).
    problem: str
    #: What the run wrote on its results pipe (at most the run's `results_limit` bytes).
    results: bytes
    results_truncated: bool


def run(spec: Run) -> Outcome:
    """Runs `spec.command` (in a sandbox unless `spec.sandboxed` is false), its output in `spec.log`; it
    may write its results on a pipe, whose file descriptor replaces the argument RESULTS_FD."""
    limits = spec.limits
    if spec.sandboxed:
        group = Group(f"tp5-{os.getpid()}-{spec.slot}", limits.memory_bytes + limits.tmp_bytes, limits.processes)
        args = group.wrap(command(spec.command, limits, spec.slot, spec.inputs, spec.scratch_bytes))
        env = None
    else:
        group = None
        env = {**os.environ, **environment(), "HOME": os.environ.get("HOME", "/tmp")}
        args = [PRLIMIT or "prlimit", f"--as={limits.memory_bytes}", "--", *spec.command]
    read_end, write_end = os.pipe()
    chunks, size = [], [0, False]

    def collect():
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
            # The grader itself is stopping (Ctrl+C): the sandbox's process 1 would not end with it.
            end_sandbox(process.pid)
        if group is not None:
            group.kill()
            group.close()
    return Outcome(problem, b"".join(chunks), size[1])
