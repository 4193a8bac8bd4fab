"""The class folder, where everything a class server keeps lives (one folder to back up), and the bounds
of each student's share of the machine.

  <dossier>/hub/              JupyterHub's database and cookie secret, the server's settings, the
                              first-login codes, the LTI settings, key and launches (root only)
  <dossier>/hub/etc/<id>/     the passwd and group files a person's sandbox sees (only that person)
  <dossier>/hub/disques/<id>.ext4   each person's disk: a file system of its own, mounted as their home
  <dossier>/homes/<id>/       each person's home, their own (0700)
  <dossier>/echange/kit/      the released student kit
  <dossier>/echange/rendus/<id>/<horodatage>/   each hand-in, kept (root only)
  <dossier>/echange/retours/<id>/               the feedback pages returned to each person (root only)
  <dossier>/echange/classe.json                 the deadline

While the server runs, its Unix sockets live outside the class folder, in /run/tp5-classe/<empreinte>/
(<empreinte>: from the folder's path): the hub's and the exchange's in hub/, shown to every sandbox,
and each person's JupyterLab's in personnes/<id>/, shown to that person alone. A short path in lower
case: a socket's path is at most 107 bytes, and JupyterHub's client lower-cases the one it connects to.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import socket
from dataclasses import asdict, dataclass

DEFAULT_FOLDER = pathlib.Path("/srv/tp5-classe")
SOCKETS = pathlib.Path("/run/tp5-classe")


@dataclass(frozen=True)
class Bounds:
    """One student's share of the machine: their whole server (JupyterLab, kernels, terminals) together.
    The defaults are `serve`'s (README, « Capacité »)."""
    cpus: float = 1.0
    memory_bytes: int = 3 * 1024 ** 3
    processes: int = 512
    #: The private /tmp, in memory (counted in memory_bytes).
    tmp_bytes: int = 512 * 1024 ** 2
    #: The home's size: the kit and its results take a few megabytes, a saved model a few more.
    disk_bytes: int = 2 * 1024 ** 3
    #: Whether a student's code may reach other machines (pip, web pages); never the machine itself.
    internet: bool = False


@dataclass(frozen=True)
class ServerSettings:
    """What `serve` was asked for, written for the JupyterHub configuration to read."""
    ip: str
    port: int
    bounds: Bounds
    #: Loopback ports of the proxy's REST API and of the exchange (which the sandboxes reach through
    #: its Unix socket instead), chosen free when the server starts.
    proxy_api_port: int
    exchange_port: int
    ssl_cert: str = ""
    ssl_key: str = ""

    @property
    def public_url(self) -> str:
        host = socket.gethostname() if self.ip in ("0.0.0.0", "::", "") else self.ip
        return f"{'https' if self.ssl_cert else 'http'}://{host}:{self.port}/"

    @staticmethod
    def from_json(text: str) -> ServerSettings:
        data = json.loads(text)
        return ServerSettings(**{**data, "bounds": Bounds(**data["bounds"])})

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


@dataclass(frozen=True)
class ClassFolder:
    root: pathlib.Path

    @property
    def state(self) -> pathlib.Path:
        return self.root / "hub"

    @property
    def settings_file(self) -> pathlib.Path:
        return self.state / "serveur.json"

    @property
    def roster_file(self) -> pathlib.Path:
        """The roster the server was started with (a copy)."""
        return self.state / "liste.csv"

    @property
    def fingerprint(self) -> str:
        """Eight hexadecimal digits of the folder's path: its own in names the machine shares."""
        return hashlib.sha1(str(self.root).encode()).hexdigest()[:8]

    @property
    def group_prefix(self) -> str:
        """The start of this class's control groups' names: its hub's (…_hub) and each person's (…<id>),
        so that two classes on one machine never touch each other's."""
        return f"tp5-{self.fingerprint}-"

    def group(self, identifier: str) -> str:
        return self.group_prefix + identifier

    @property
    def hub_pid_file(self) -> pathlib.Path:
        return self.state / "jupyterhub.pid"

    @property
    def database(self) -> pathlib.Path:
        """JupyterHub's database: users, tokens, and NativeAuthenticator's passwords."""
        return self.state / "jupyterhub.sqlite"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def codes_file(self) -> pathlib.Path:
        """The first-login codes (hub/codes.py)."""
        return self.state / "codes.json"

    @property
    def lti_file(self) -> pathlib.Path:
        """The class's LTI settings (hub/lti.py); without it, students log in with the roster's passwords."""
        return self.state / "lti.json"

    @property
    def lti_key(self) -> pathlib.Path:
        """The tool's private key, for the LMS's grade service."""
        return self.state / "lti-cle.pem"

    @property
    def launches_file(self) -> pathlib.Path:
        """Each person's last launch from the LMS: their LMS identity and the course's grade service."""
        return self.state / "lti-lancements.json"

    def disk_image(self, identifier: str) -> pathlib.Path:
        return self.state / "disques" / f"{identifier}.ext4"

    @property
    def sockets(self) -> pathlib.Path:
        """Where the running server's Unix sockets are (see the module's doc)."""
        return SOCKETS / self.fingerprint

    @property
    def shared_sockets(self) -> pathlib.Path:
        """The hub's and the exchange's Unix sockets, the only ways out of a student's sandbox."""
        return self.sockets / "hub"

    def server_sockets(self, identifier: str) -> pathlib.Path:
        """Where the person's JupyterLab makes its Unix socket, which the proxy connects to."""
        return self.sockets / "personnes" / identifier

    def etc(self, identifier: str) -> pathlib.Path:
        return self.state / "etc" / identifier

    @property
    def homes(self) -> pathlib.Path:
        return self.root / "homes"

    def home(self, identifier: str) -> pathlib.Path:
        return self.homes / identifier

    @property
    def exchange(self) -> pathlib.Path:
        return self.root / "echange"

    @property
    def kit(self) -> pathlib.Path:
        return self.exchange / "kit"

    def handins(self, identifier: str) -> pathlib.Path:
        return self.exchange / "rendus" / identifier

    def feedback(self, identifier: str) -> pathlib.Path:
        return self.exchange / "retours" / identifier

    @property
    def class_file(self) -> pathlib.Path:
        return self.exchange / "classe.json"
