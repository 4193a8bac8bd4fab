"""Each person's JupyterLab, as JupyterHub's LocalProcessSpawner starts it, with walls added.

- **A sandbox** (sandbox/, as the grader's): the server sees the system
  read-only, the project's runtime read-only (never the solutions, .git, the class folder), its own home
  read-write and a private /tmp; its own process, IPC, host-name and **network** namespaces; passwd and
  group files that name only root and this person. It runs as the person's Unix account, with no
  capability and no way to gain one.
- **No network but its own loopback.** The server listens on a Unix socket (layout.py: personnes/<id>/,
  which only this sandbox and root see), through which the hub's proxy reaches it; its kernels talk
  to it on Unix sockets too (ipc) in its private /tmp. Its only ways out are the hub's and the
  exchange's Unix sockets (layout.py: hub/), each of which asks for a token. So no process of one student
  can open a connection to another's server or kernel. With `serve --internet`, slirp4netns gives the
  sandbox a route to other machines (pip, web pages), never to this machine's own addresses.
- **A disk** of its own as the home (hub/disks.py): a bounded size, enforced by the kernel.
- **A control group** per person: memory (the /tmp included), processes and processor time, so that
  one person's runaway training, memory bomb or fork bomb stays in that person's share. Stopping the
  server ends every process in the group.
"""
from __future__ import annotations

import asyncio
import os
import pathlib
import shutil
import subprocess
from typing import Any, AsyncIterator, Callable
from urllib.parse import quote

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Bool, Float, Integer, Unicode

import sandbox
from common.paths import ROOT, VENV_BIN
from sandbox import Group

from . import accounts
from .disks import HomeDisk
from .layout import Bounds, ClassFolder

#: What a person's server reads besides the runtime: the student's session (its settings, its server
#: extension) and its built JupyterLab extension; nothing of the hub or the grader.
SESSION_FOLDERS = [ROOT / "session", ROOT / "build" / "session"]
#: Where the JupyterLab extension is installed (labextensions/ inside), on the server's JUPYTER_PATH.
JUPYTER_DATA = ROOT / "build" / "session" / "jupyter"
#: Inside a sandbox: the hub's and the exchange's sockets (read-only), and the server's own.
SHARED_SOCKETS = pathlib.Path("/run/tp5/hub")
SERVER_SOCKETS = pathlib.Path("/run/tp5/serveur")
SERVER_SOCKET = "jupyterlab.sock"
SLIRP4NETNS = shutil.which("slirp4netns")
JUPYTER_DEFAULT_PORT = 8888
BOUNDS = Bounds()


def unix_url(socket: pathlib.Path, path: str = "") -> str:
    """The http+unix URL of a Unix socket (JupyterHub's and configurable-http-proxy's form)."""
    return f"http+unix://{quote(str(socket), safe='')}{path}"


def route_to_other_machines(pid: int) -> subprocess.Popen[bytes]:
    """slirp4netns on the network namespace of process `pid`: a user-mode route to other machines
    (address 10.0.2.100, gateway 10.0.2.2, names answered at 10.0.2.3), with this machine's own
    loopback out of reach (--disable-host-loopback); it runs until killed."""
    if SLIRP4NETNS is None:
        raise RuntimeError("--internet demande slirp4netns (paquet Debian slirp4netns)")
    return subprocess.Popen([SLIRP4NETNS, "--configure", "--mtu=65520", "--disable-host-loopback",
                             "--enable-sandbox", "--enable-seccomp", str(pid), "tap0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class ClassSpawner(LocalProcessSpawner):  # type: ignore[misc]
    class_folder = Unicode(config=True, help="the class folder (hub/layout.py)")
    cpus = Float(BOUNDS.cpus, config=True, help="processor time per person, in cores")
    memory_bytes = Integer(BOUNDS.memory_bytes, config=True, help="memory per person, /tmp included")
    processes = Integer(BOUNDS.processes, config=True, help="processes and threads per person")
    tmp_bytes = Integer(BOUNDS.tmp_bytes, config=True, help="the private /tmp's size")
    disk_bytes = Integer(BOUNDS.disk_bytes, config=True, help="the home's size")
    internet = Bool(BOUNDS.internet, config=True, help="a route to other machines (never to this one)")

    group: Group | None = None
    slirp: subprocess.Popen[bytes] | None = None

    @property
    def folder(self) -> ClassFolder:
        return ClassFolder(pathlib.Path(self.class_folder))

    def account(self) -> accounts.Account:
        return accounts.lookup(self.user.name, self.folder)

    def disk(self, account: accounts.Account) -> HomeDisk:
        return HomeDisk(self.folder.disk_image(self.user.name), account.home, self.disk_bytes, account.uid, account.gid)

    def get_env(self) -> dict[str, str]:
        env: dict[str, str] = super().get_env()
        # The hub as the sandbox reaches it: through its socket, at the sandbox's own path.
        hub_socket = unix_url(self.folder.shared_sockets / "hub.sock")
        for key in ("JUPYTERHUB_API_URL", "JUPYTERHUB_ACTIVITY_URL"):
            if key in env:
                env[key] = env[key].replace(hub_socket, unix_url(SHARED_SOCKETS / "hub.sock"))
        # The server listens on its Unix socket only, which Jupyter allows with its default port alone.
        env["JUPYTERHUB_SERVICE_URL"] = f"http://127.0.0.1:{JUPYTER_DEFAULT_PORT}{self.server.base_url}"
        return env

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        account = self.account()
        node = shutil.which("node") or "/usr/bin/node"
        env.update({
            "USER": account.name, "LOGNAME": account.name, "HOME": str(account.home), "SHELL": "/bin/bash",
            "PATH": f"{VENV_BIN}:{os.path.dirname(node)}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
            "JUPYTER_PATH": str(JUPYTER_DATA),
            # Kernels' ipc sockets in the private /tmp: short paths (a Unix socket's is at most 107 bytes).
            "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
            "TP5_ECHANGE_URL": unix_url(SHARED_SOCKETS / "echange.sock", "/services/echange/"),
            # TensorFlow's start-up banners (English, on the kernel's stderr) are not for students.
            "TF_CPP_MIN_LOG_LEVEL": "2",
        })
        return env

    def sandbox(self, account: accounts.Account) -> sandbox.Spec:
        """The person's sandbox: their home, their passwd and group files, the hub's sockets read-only and
        their server's socket folder; the server runs as the person, its environment the spawner's."""
        etc = self.folder.etc(self.user.name)
        network = ((etc / "resolv.conf", pathlib.Path("/etc/resolv.conf")),) if self.internet else ()
        return sandbox.Spec(
            uid=account.uid, gid=account.gid, workdir=account.home, hostname="tp5", tmp_bytes=self.tmp_bytes,
            reads=tuple(folder for folder in SESSION_FOLDERS if folder.exists()),
            shows=((etc / "passwd", pathlib.Path("/etc/passwd")), (etc / "group", pathlib.Path("/etc/group")), *network,
                   (self.folder.shared_sockets, SHARED_SOCKETS)),
            writes=((account.home, account.home), (self.folder.server_sockets(self.user.name), SERVER_SOCKETS)),
            # Node.js and TypeScript find the library (`import "tp5-lab"`) from any folder of the home.
            links=((str(ROOT / "node_modules"), pathlib.Path("/node_modules")),))

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Runs in the new process, still root: it enters the person's control group, which its children
        inherit. The sandbox, not this function, drops root's rights."""
        group = self.group

        def enter_group() -> None:
            if group is not None:
                group.join(os.getpid())
        return enter_group

    def prepare_sockets(self, account: accounts.Account) -> pathlib.Path:
        """The person's socket folder, theirs alone and empty; the socket their server will make there."""
        folder = self.folder.server_sockets(self.user.name)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        os.chown(folder, account.uid, account.gid)
        os.chmod(folder, 0o700)
        return folder / SERVER_SOCKET

    async def start(self) -> Any:
        account = self.account()
        disk = self.disk(account)
        await asyncio.to_thread(disk.ensure)
        await asyncio.to_thread(disk.mount)
        self.group = self.control_group()
        if not self.group.active:
            raise RuntimeError("impossible de borner ce serveur (cgroups) : il ne démarre pas sans limites")
        self.group.kill()  # what a server of this person left behind
        socket = self.prepare_sockets(account)
        self.cmd = sandbox.command(self.sandbox(account), [
            str(VENV_BIN / "jupyterhub-singleuser"), f"--ServerApp.sock={SERVER_SOCKETS / SERVER_SOCKET}",
            "--ServerApp.sock_mode=0600", "--KernelManager.transport=ipc"])
        await super().start()
        if self.internet:
            self.slirp = await self.connect_to_other_machines()
        # JupyterHub 6 reaches servers over Unix sockets, given as the server's connect URL; it keeps its
        # host and port for its own records only.
        url = unix_url(socket)
        self.server.connect_url = url + self.server.base_url
        return url

    async def connect_to_other_machines(self) -> subprocess.Popen[bytes]:
        """A route to other machines for the sandbox's network namespace, where its first process lives."""
        for _ in range(100):
            children = pathlib.Path(f"/proc/{self.pid}/task/{self.pid}/children")
            inner = next(iter(children.read_text().split()), "") if children.exists() else ""
            if inner:
                return route_to_other_machines(int(inner))
            await asyncio.sleep(0.05)
        raise RuntimeError("le bac à sable n'a pas démarré : pas de réseau pour lui")

    def control_group(self) -> Group:
        return Group(self.folder.group(self.user.name), self.memory_bytes, self.processes, self.cpus)

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        group = self.group or self.control_group()
        group.kill()
        group.close()
        self.group = None
        if self.slirp is not None:
            self.slirp.kill()
            self.slirp.wait()
            self.slirp = None
        await asyncio.to_thread(self.disk(self.account()).unmount)

    async def progress(self) -> AsyncIterator[dict[str, Any]]:
        yield {"progress": 50, "message": "Préparation de votre JupyterLab (bac à sable, limites, kit du TP)…"}
