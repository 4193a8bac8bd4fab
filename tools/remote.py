"""Driving a class server from outside, as a person's browser would, for the capacity benchmark and the
tests: a first login with a code, then logging in, through the hub's pages; get a token from its REST API, start the server,
run code in a kernel and commands in a terminal through the server's REST and WebSocket APIs (also
those of a JupyterLab alone, as the student image runs it). Every wait is bounded."""
from __future__ import annotations

import asyncio
import csv
import html
import json
import pathlib
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


def wait_for_hub(hub: str, timeout: float = 120) -> float:
    """Waits until the hub's REST API answers through its proxy; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if requests.get(f"{hub}/hub/api/", timeout=5).ok:
                return time.monotonic() - started
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"le hub ne répond pas à {hub} après {timeout:.0f} s")


@dataclass
class CellResult:
    """What a cell printed and returned, and its error if it raised."""
    text: str
    error: str
    seconds: float


def read_codes(table: pathlib.Path) -> dict[str, str]:
    """The first-login codes of `npm run hub -- codes` (its codes.csv): identifier → code."""
    with open(table, encoding="utf-8") as rows:
        return {row["identifiant"]: row["code"] for row in csv.DictReader(rows)}


@dataclass
class Person:
    hub: str
    name: str
    password: str
    #: The first-login code (hub/codes.py), for sign_up.
    code: str = ""
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def _xsrf(self) -> str:
        return str(self.session.cookies.get("_xsrf", "", path="/hub/"))

    def _form(self, path: str, data: dict[str, str]) -> requests.Response:
        url = f"{self.hub}/hub/{path}"
        self.session.get(url, timeout=30)
        return self.session.post(url, data={**data, "_xsrf": self._xsrf()}, timeout=60, allow_redirects=False)

    def sign_up(self) -> str:
        """The first-login page's answer (its alert's text): the code spent, the chosen password set."""
        page = self._form("signup", {"username": self.name, "code": self.code, "signup_password": self.password,
                                     "signup_password_confirmation": self.password}).content.decode("utf-8")
        start = page.find('role="alert"')
        alert = page[start:page.find("</div>", start)] if start >= 0 else page
        return html.unescape(re.sub(r"<[^>]+>|^[^>]*>", " ", alert)).strip()

    def log_in(self) -> None:
        response = self._form("login", {"username": self.name, "password": self.password})
        if response.status_code != 302:
            raise RuntimeError(f"{self.name} : connexion refusée ({response.status_code})")
        self.take_token()

    def take_token(self) -> None:
        """A token for the API, asked by the session once logged in (by password, or by a launch from the LMS)."""
        self.session.get(f"{self.hub}/hub/home", timeout=30)  # sets the _xsrf cookie the request must echo
        created = self.session.post(f"{self.hub}/hub/api/users/{self.name}/tokens", headers={"X-XSRFToken": self._xsrf()},
                                    json={"note": "remote", "expires_in": 6 * 3600}, timeout=30)
        created.raise_for_status()
        self.token = created.json()["token"]

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.hub}{path}", headers=headers, timeout=kwargs.pop("timeout", 60), **kwargs)

    def start_server(self, timeout: float = 300) -> float:
        """Starts the person's server and waits until it answers; the seconds it took."""
        started = time.monotonic()
        self.api("POST", f"/hub/api/users/{self.name}/server")
        while time.monotonic() - started < timeout:
            model = self.api("GET", f"/hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - started
            if not model.get("pending") and not server:
                raise RuntimeError(f"le serveur de {self.name} n'a pas démarré")
            time.sleep(0.5)
        raise TimeoutError(f"le serveur de {self.name} n'a pas démarré en {timeout:.0f} s")

    def stop_server(self) -> None:
        self.api("DELETE", f"/hub/api/users/{self.name}/server")

    @property
    def jupyter(self) -> JupyterServer:
        """The person's own JupyterLab, through the hub's proxy, with the person's token."""
        return JupyterServer(f"{self.hub}/user/{self.name}/", self.token)


@dataclass
class JupyterServer:
    """A Jupyter server's REST and WebSocket APIs: a student's behind the hub, or JupyterLab alone."""
    base: str
    token: str

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=kwargs.pop("timeout", 60), **kwargs)

    def websocket(self, path: str) -> HTTPRequest:
        return HTTPRequest(f"{self.base.replace('http', 'ws', 1)}{path}", headers={"Authorization": f"token {self.token}"})

    # Kernels ------------------------------------------------------------------------------------

    def start_kernel(self, name: str = "tslab") -> str:
        response = self.request("POST", "api/kernels", json={"name": name})
        response.raise_for_status()
        return str(response.json()["id"])

    def run(self, kernel: str, code: str, timeout: float = 300) -> CellResult:
        return asyncio.run(self._run(kernel, code, timeout))

    async def _run(self, kernel: str, code: str, timeout: float) -> CellResult:
        connection = await websocket_connect(self.websocket(f"api/kernels/{kernel}/channels"))
        msg_id = uuid.uuid4().hex
        connection.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": "tp5", "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        started = time.monotonic()
        text, error, replied, idle = [], "", False, False
        try:
            while not (replied and idle):
                remaining = timeout - (time.monotonic() - started)
                if remaining <= 0:
                    raise TimeoutError(f"la cellule n'a pas fini en {timeout:.0f} s")
                raw = await asyncio.wait_for(connection.read_message(), remaining)
                if raw is None:
                    raise ConnectionError("le noyau a fermé la connexion (arrêté ou redémarré)")
                message = json.loads(raw)
                kind, content = message["header"]["msg_type"], message["content"]
                if kind == "status" and content["execution_state"] in ("restarting", "dead"):
                    raise ConnectionError(f"le noyau s'est arrêté ({content['execution_state']})")
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if kind == "stream":
                    text.append(content["text"])
                elif kind in ("execute_result", "display_data"):
                    text.append(content["data"].get("text/plain", "") + "\n")
                elif kind == "error":
                    error = f"{content.get('ename', '')}: {content.get('evalue', '')}"
                elif kind == "execute_reply":
                    replied = True
                    if content.get("status") == "error" and not error:
                        error = f"{content.get('ename', '')}: {content.get('evalue', '')}"
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
        finally:
            connection.close()
        return CellResult("".join(text), error, time.monotonic() - started)

    # Terminals -----------------------------------------------------------------------------------

    def terminal(self, command: str, timeout: float = 60) -> str:
        """What `command` prints in a new terminal of this JupyterLab (the terminal is closed after)."""
        created = self.request("POST", "api/terminals")
        created.raise_for_status()
        name = created.json()["name"]
        try:
            return asyncio.run(self._terminal(name, command, timeout))
        finally:
            self.request("DELETE", f"api/terminals/{name}")

    async def _terminal(self, name: str, command: str, timeout: float) -> str:
        connection = await websocket_connect(self.websocket(f"terminals/websocket/{name}"))
        marker = uuid.uuid4().hex[:12]
        # The marker is printed in two halves joined by the shell, so that the typed line never matches it.
        connection.write_message(json.dumps(["stdin", f"{command}; echo {marker[:6]}''{marker[6:]}\r"]))
        output, started = "", time.monotonic()
        try:
            while marker not in output:
                remaining = timeout - (time.monotonic() - started)
                if remaining <= 0:
                    raise TimeoutError(f"la commande n'a pas fini en {timeout:.0f} s : {output[-500:]}")
                raw = await asyncio.wait_for(connection.read_message(), remaining)
                if raw is None:
                    break
                kind, *payload = json.loads(raw)
                if kind == "stdout":
                    output += payload[0]
        finally:
            connection.close()
        typed = output.find(f"{marker[6:]}\r\n")
        return output[typed + len(marker[6:]) + 2 if typed >= 0 else 0:output.rfind(marker)]
