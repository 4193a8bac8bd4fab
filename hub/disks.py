"""Each person's disk: a file system of its own (ext4 in a sparse file of the class folder, which takes on
the machine only what is written), mounted as their home while their server runs. The kernel enforces
its size: a write past it fails with ENOSPC in that home alone, which JupyterLab then reports in French
(session/contents.py), and everything works again once files are deleted (the mount passes deletions on to
the file, so that the space comes back to the machine too).

Why not quotas: they need the file system holding the class folder to be mounted with them (or made with
ext4's project feature), which a teacher cannot change on a university machine; loop devices need only
root, which `serve` already has."""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

#: Below this, JupyterLab and a kernel cannot even start (the kit takes a few megabytes).
MINIMUM_BYTES = 64 * 1024 ** 2
MOUNT_OPTIONS = "loop,discard,nosuid,nodev"


class DiskError(OSError):
    """A disk that cannot be made, grown or mounted, said in French."""


def run(*command: str, fine: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in fine:
        raise DiskError(f"{command[0]} a échoué : {(done.stderr or done.stdout).strip()}")
    return done.stdout


def unavailable() -> str:
    """Why homes cannot have their own disks here ("" when they can)."""
    missing = [tool for tool in ("mkfs.ext4", "resize2fs", "e2fsck", "dumpe2fs", "mount", "umount")
               if shutil.which(tool) is None]
    if missing:
        return f"il manque {', '.join(missing)} (paquets Debian e2fsprogs et mount)"
    if not os.path.exists("/dev/loop-control"):
        return "le noyau n'offre pas de périphériques loop (/dev/loop-control manque)"
    return ""


@dataclass(frozen=True)
class HomeDisk:
    image: pathlib.Path
    home: pathlib.Path
    size_bytes: int
    uid: int
    gid: int

    @property
    def mounted(self) -> bool:
        return os.path.ismount(self.home)

    def ensure(self) -> None:
        """The disk, made where missing (with what an earlier home without one held), grown when the
        bound grew; never shrunk (said, so that nothing is lost)."""
        if not self.image.exists():
            self._make()
        elif self.image.stat().st_size < self.size_bytes and not self.mounted:
            os.truncate(self.image, self.size_bytes)
            run("e2fsck", "-f", "-p", str(self.image), fine=(0, 1))  # 1: something mended (lost+found made again)
            run("resize2fs", "-f", str(self.image))

    def _make(self) -> None:
        self.image.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.image.parent, 0o700)
        earlier = self.home.is_dir() and not self.mounted and any(self.home.iterdir())
        partial = self.image.with_suffix(".partiel")
        with open(partial, "wb") as file:
            file.truncate(self.size_bytes)
        os.chmod(partial, 0o600)
        run("mkfs.ext4", "-q", "-F", "-m", "0", "-E", f"root_owner={self.uid}:{self.gid}", "-L", "tp5", str(partial))
        if earlier:
            self._copy_earlier_home(partial)
        os.replace(partial, self.image)

    def _copy_earlier_home(self, image: pathlib.Path) -> None:
        """A home made before homes had disks: its files are copied into the new disk, then the folder is
        kept aside in the class folder's state (root only) rather than deleted."""
        with tempfile.TemporaryDirectory(dir=self.image.parent) as staging:
            run("mount", "-o", MOUNT_OPTIONS, str(image), staging)
            try:
                copied = subprocess.run(["cp", "-a", f"{self.home}/.", staging], capture_output=True, text=True)
            finally:
                run("umount", staging)
            if copied.returncode != 0:
                raise DiskError(f"le dossier {self.home} ne tient pas dans {self.size_bytes / 1024 ** 3:g} Gio "
                                f"({copied.stderr.strip()}) : donnez un --disk-gb plus grand ; rien n'a été changé")
        kept = self.image.parent.parent / "anciens-dossiers" / f"{self.home.name}-{time.strftime('%Y%m%d-%H%M%S')}"
        kept.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(self.home, kept)
        self.home.mkdir(mode=0o700)

    def mount(self) -> None:
        if self.mounted:
            return
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        run("mount", "-o", MOUNT_OPTIONS, str(self.image), str(self.home))
        os.chown(self.home, self.uid, self.gid)
        os.chmod(self.home, 0o700)
        # ext4's lost+found would be a puzzling folder in JupyterLab; e2fsck makes it again when needed.
        lost = self.home / "lost+found"
        if lost.is_dir() and not any(lost.iterdir()):
            lost.rmdir()

    def unmount(self) -> None:
        """Unmounts the home (lazily where a process still holds it: it goes when that process ends)."""
        if not self.mounted:
            return
        if subprocess.run(["umount", str(self.home)], capture_output=True).returncode != 0:
            run("umount", "-l", str(self.home))

    def usage(self) -> tuple[int, int]:
        """Bytes used and bytes in all, from the mounted file system or, unmounted, from its superblock."""
        if self.mounted:
            stats = os.statvfs(self.home)
            return (stats.f_blocks - stats.f_bfree) * stats.f_frsize, stats.f_blocks * stats.f_frsize
        fields = dict(line.split(":", 1) for line in run("dumpe2fs", "-h", str(self.image)).splitlines() if ":" in line)
        block = int(fields["Block size"])
        total, free = int(fields["Block count"]), int(fields["Free blocks"])
        overhead = int(fields.get("Overhead clusters", "0") or 0)
        return (total - free - overhead) * block, (total - overhead) * block
