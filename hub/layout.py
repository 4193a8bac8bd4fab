"""The class folder, where everything a class server keeps lives (one folder to back up), and the bounds
of each student's share of the machine.

  <dossier>/hub/              JupyterHub's database and cookie secret, the server's settings (root only)
  <dossier>/hub/etc/<id>/     the passwd and group files a person's sandbox sees (only that person)
  <dossier>/homes/<id>/       each person's home, their own (0700)
  <dossier>/echange/kit/      the released student kit
  <dossier>/echange/rendus/<id>/<horodatage>/   each hand-in, kept (root only)
  <dossier>/echange/retours/<id>/               the feedback pages returned to each person (root only)
  <dossier>/echange/classe.json                 the deadline
"""
from __future__ import annotations

import json
import pathlib
from dataclasses import asdict, dataclass

DEFAULT_FOLDER = pathlib.Path("/srv/tp5-classe")


@dataclass(frozen=True)
class Bounds:
    """One student's share of the machine: their whole server (JupyterLab, kernels, terminals) together."""
    cpus: float = 1.0
    memory_bytes: int = 3 * 1024 ** 3
    processes: int = 512
    #: The private /tmp, in memory (counted in memory_bytes).
    tmp_bytes: int = 512 * 1024 ** 2


@dataclass(frozen=True)
class ServerSettings:
    """What `serve` was asked for, written for the JupyterHub configuration to read."""
    ip: str
    port: int
    bounds: Bounds
    #: Loopback ports of the hub's own parts, chosen free when the server starts.
    hub_port: int
    proxy_api_port: int
    exchange_port: int
    ssl_cert: str = ""
    ssl_key: str = ""

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
