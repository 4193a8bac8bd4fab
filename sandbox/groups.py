"""Control groups (v1 or v2): what bounds the total memory (in-memory folders included), the processes
and the processor time of everything in a sandbox, where this program may make one, and measures what it
used; and the groups an earlier run left, to end what they hold."""
from __future__ import annotations

import os
import pathlib
import time

CGROUPS = pathlib.Path("/sys/fs/cgroup")


class Group:
    """A cgroup (v1 or v2) bounding the total memory (tmpfs included), the processes and, when `cpus` is
    given, the processor time of what runs in it, where this program may make one; otherwise only the
    per-process limits apply. It also measures: the processor time used and the highest memory use."""

    def __init__(self, name: str, memory_bytes: int, processes: int, cpus: float | None = None):
        self.folders: list[pathlib.Path] = []
        self.v2 = (CGROUPS / "cgroup.controllers").exists()
        period = 100_000
        try:
            if self.v2:
                settings: dict[str, object] = {"memory.max": memory_bytes, "pids.max": processes}
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
    def existing(cls, prefix: str) -> list[Group]:
        """The groups already there whose name starts with `prefix`, as they are: what a run stopped
        without its cleanup left (to end what they hold, then remove them)."""
        v2 = (CGROUPS / "cgroup.controllers").exists()
        found: dict[str, list[pathlib.Path]] = {}
        for folder in sorted(CGROUPS.glob(prefix + "*") if v2 else CGROUPS.glob(f"*/{prefix}*")):
            if folder.is_dir() and not folder.parent.is_symlink():
                found.setdefault(folder.name, []).append(folder)
        groups = []
        for folders in found.values():
            group = cls.__new__(cls)
            group.v2, group.folders = v2, folders
            groups.append(group)
        return groups

    def _make(self, folder: pathlib.Path, settings: dict[str, object]) -> None:
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

    def wrap(self, args: list[str]) -> list[str]:
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

    def processes(self) -> list[int]:
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
