"""Each person's JupyterLab, as JupyterHub's LocalProcessSpawner starts it, with two walls added.

- **A sandbox** (bubblewrap, as the grader's: scripts/tp5nb/sandbox.py): the server sees the system
  read-only, the project's runtime read-only (never the solutions, .git, the class folder), its own home
  read-write and a private /tmp; its own process, IPC and host-name namespaces; passwd and group files
  that name only root and this person. It runs as the person's Unix account, with no capability and no
  way to gain one. The network is the machine's (the hub's proxy reaches the server on the loopback;
  every service there asks for a token).
- **A control group** per person: memory (the /tmp included), processes and processor time, so that
  one person's runaway training, memory bomb or fork bomb stays in that person's share. Stopping the
  server ends every process in the group.
"""
from __future__ import annotations

import os
import pathlib
import shutil
from typing import Any, AsyncIterator, Callable

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Float, Integer, Unicode

from scripts.tp5nb.paths import ROOT, VENV_BIN
from scripts.tp5nb.sandbox import BWRAP, SETPRIV, Group, runtime_folders, runtime_view, system_view

from . import accounts
from .layout import ClassFolder

#: What a person's server reads besides the runtime: this package (the server extension), the student
#: session's settings and the built JupyterLab extension.
SESSION_FOLDERS = [ROOT / "hub", ROOT / "session", ROOT / "build" / "hub"]
#: Where the JupyterLab extension is installed (labextensions/ inside), on the server's JUPYTER_PATH.
JUPYTER_DATA = ROOT / "build" / "hub" / "jupyter"


class ClassSpawner(LocalProcessSpawner):  # type: ignore[misc]
    class_folder = Unicode(config=True, help="the class folder (hub/layout.py)")
    exchange_url = Unicode(config=True, help="the exchange service, as the servers reach it")
    cpus = Float(1.0, config=True, help="processor time per person, in cores")
    memory_bytes = Integer(3 * 1024 ** 3, config=True, help="memory per person, /tmp included")
    processes = Integer(512, config=True, help="processes and threads per person")
    tmp_bytes = Integer(512 * 1024 ** 2, config=True, help="the private /tmp's size")

    group: Group | None = None

    @property
    def folder(self) -> ClassFolder:
        return ClassFolder(pathlib.Path(self.class_folder))

    def account(self) -> accounts.Account:
        return accounts.lookup(self.user.name, self.folder)

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        account = self.account()
        node = shutil.which("node") or "/usr/bin/node"
        env.update({
            "USER": account.name, "LOGNAME": account.name, "HOME": str(account.home), "SHELL": "/bin/bash",
            "PATH": f"{VENV_BIN}:{os.path.dirname(node)}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
            "JUPYTER_PATH": str(JUPYTER_DATA),
            "TP5_ECHANGE_URL": self.exchange_url,
            # TensorFlow's start-up banners (English, on the kernel's stderr) are not for students.
            "TF_CPP_MIN_LOG_LEVEL": "2",
        })
        return env

    def sandbox(self, account: accounts.Account) -> list[str]:
        """The command prefix that runs the server in the person's sandbox, as the person."""
        etc = self.folder.etc(self.user.name)
        return [BWRAP, *system_view(self.tmp_bytes),
                *runtime_view([*runtime_folders(), *[f for f in SESSION_FOLDERS if f.exists()]], [account.home]),
                "--bind", str(account.home), str(account.home),
                "--ro-bind", str(etc / "passwd"), "/etc/passwd", "--ro-bind", str(etc / "group"), "/etc/group",
                # Node.js and TypeScript find the library (`import "tp5-lab"`) from any folder of the home.
                "--symlink", str(ROOT / "node_modules"), "/node_modules",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "tp5", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--chdir", str(account.home), "--",
                SETPRIV, f"--reuid={account.uid}", f"--regid={account.gid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Runs in the new process, still root: it enters the person's control group, which its children
        inherit. The sandbox, not this function, drops root's rights."""
        group = self.group

        def enter_group() -> None:
            if group is not None:
                group.join(os.getpid())
        return enter_group

    async def start(self) -> Any:
        account = self.account()
        accounts.make_home(account)
        self.group = self.control_group()
        if not self.group.active:
            raise RuntimeError("impossible de borner ce serveur (cgroups) : il ne démarre pas sans limites")
        self.group.kill()  # what a server of this person left behind
        self.cmd = [*self.sandbox(account), str(VENV_BIN / "jupyterhub-singleuser")]
        return await super().start()

    def control_group(self) -> Group:
        return Group(f"tp5-classe-{self.user.name}", self.memory_bytes, self.processes, self.cpus)

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        group = self.group or self.control_group()
        group.kill()
        group.close()
        self.group = None

    async def progress(self) -> AsyncIterator[dict[str, Any]]:
        yield {"progress": 50, "message": "Préparation de votre JupyterLab (bac à sable, limites, kit du TP)…"}
