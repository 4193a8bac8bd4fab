"""The student's server side of the exchange: a Jupyter server extension, running as the student inside
their sandbox. At start and every few minutes it brings the released kit into ~/tp5 (only the files
that are missing: nothing of the student's is overwritten) and the feedback pages into ~/tp5/retours;
it relays the JupyterLab extension's requests (« Rendre », « Mes rendus ») to the exchange service with
the server's own hub token, which the browser never sees.

  POST /tp5/rendre   {"path": "tp5/01-….ipynb"}   hand in the saved notebook → the receipt
  GET  /tp5/bilan?path=…                           what is left to do in it (questions, written answers)
  GET  /tp5/rendus                                 my hand-ins
  POST /tp5/retours                                fetch my feedback pages now → their names
"""
from __future__ import annotations

import asyncio
import json
import os
import pathlib
import threading
from typing import Any
from urllib.parse import quote

import aiohttp
import nbformat
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import ensure_async, url_path_join
from jupyterhub.httpclient import JupyterHubHTTPClient, fetch
from tornado import web
from tornado.ioloop import PeriodicCallback

from common import conventions

KIT_FOLDER = "tp5"
FEEDBACK_FOLDER = "tp5/retours"
SYNC_EVERY_MS = 120_000


class ExchangeClient:
    """The exchange service, reached with this server's hub token."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    async def request(self, method: str, path: str, body: bytes | None = None) -> bytes:
        # Bodies are notebooks, sent as JSON: without its type, Tornado would read a notebook as a form,
        # and refuse one with over a thousand "&" (a figure's escaped HTML) as too many fields. JupyterHub's
        # client reaches the exchange's Unix socket (the class server) as well as an address (Kubernetes).
        try:
            response = await fetch(url_path_join(self.url, path), method=method, data=body, raise_for_status=False,
                                   headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
                                   timeout=aiohttp.ClientTimeout(total=60))
            answer: bytes = await response.read()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            raise web.HTTPError(502, f"le service d'échange ne répond pas ({error})") from None
        if response.status >= 400:
            message = ""
            try:
                message = json.loads(answer).get("message", "")
            except ValueError:
                pass
            raise web.HTTPError(response.status, message or f"le service d'échange a répondu {response.status}")
        return answer

    async def json(self, method: str, path: str, body: bytes | None = None) -> Any:
        return json.loads(await self.request(method, path, body))


def remaining(notebook: nbformat.NotebookNode) -> dict[str, Any]:
    """What is left to do: the questions still marked lab.todo, those whose written answer is still empty."""
    return {"questions": conventions.todo_questions(notebook), "reponses_vides": conventions.empty_written(notebook)}


class Synchronizer:
    """Brings the kit's missing files and the feedback pages into the student's home."""

    def __init__(self, exchange: ExchangeClient, home: pathlib.Path, log: Any):
        self.exchange = exchange
        self.home = home
        self.log = log

    async def kit(self) -> list[str]:
        folder = self.home / KIT_FOLDER
        copied = []
        for entry in await self.exchange.json("GET", "api/kit"):
            target = folder / entry["name"]
            if target.exists() or target.is_symlink():
                continue
            folder.mkdir(exist_ok=True)
            target.write_bytes(await self.exchange.request("GET", f"api/kit/{quote(entry['name'])}"))
            copied.append(entry["name"])
        return copied

    async def feedback(self) -> list[str]:
        folder = self.home / FEEDBACK_FOLDER
        pages = await self.exchange.json("GET", "api/retours")
        for entry in pages:
            target = folder / entry["name"]
            page = await self.exchange.request("GET", f"api/retours/{quote(entry['name'])}")
            if target.is_file() and not target.is_symlink() and target.read_bytes() == page:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            target.write_bytes(page)
        return [entry["name"] for entry in pages]

    async def first(self) -> None:
        """The first synchronisation, on an event loop of its own (the server's is not running yet)."""
        try:
            await self.everything()
        finally:
            await JupyterHubHTTPClient.loop_instance().close()

    async def everything(self) -> None:
        try:
            copied = await self.kit()
            if copied:
                self.log.info("[tp5] kit : %s", ", ".join(copied))
            await self.feedback()
        except (web.HTTPError, OSError) as error:
            self.log.warning("[tp5] synchronisation avec l'échange impossible : %s", error)


class SessionHandler(APIHandler):
    def initialize(self, exchange: ExchangeClient, synchronizer: Synchronizer) -> None:
        self.exchange = exchange
        self.synchronizer = synchronizer

    async def notebook(self, path: str) -> nbformat.NotebookNode:
        if not path or not path.endswith(".ipynb"):
            raise web.HTTPError(400, "ouvrez un carnet (.ipynb) pour le rendre")
        model = await ensure_async(self.contents_manager.get(path, content=True, type="notebook"))
        notebook: nbformat.NotebookNode = nbformat.from_dict(model["content"])
        return notebook


class HandInHandler(SessionHandler):
    @web.authenticated
    async def post(self) -> None:
        path = (self.get_json_body() or {}).get("path", "")
        notebook = await self.notebook(path)
        body = nbformat.writes(notebook).encode("utf-8")
        receipt = await self.exchange.json("POST", f"api/rendus/{quote(pathlib.PurePosixPath(path).name)}", body)
        self.finish(json.dumps(receipt, ensure_ascii=False))


class RemainingHandler(SessionHandler):
    @web.authenticated
    async def get(self) -> None:
        notebook = await self.notebook(self.get_query_argument("path", ""))
        self.finish(json.dumps(remaining(notebook), ensure_ascii=False))


class ReceiptsHandler(SessionHandler):
    @web.authenticated
    async def get(self) -> None:
        self.finish(json.dumps(await self.exchange.json("GET", "api/rendus"), ensure_ascii=False))


class FeedbackHandler(SessionHandler):
    @web.authenticated
    async def post(self) -> None:
        pages = await self.synchronizer.feedback()
        self.finish(json.dumps({"dossier": FEEDBACK_FOLDER, "pages": pages}, ensure_ascii=False))


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "session.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    exchange = ExchangeClient(os.environ["TP5_ECHANGE_URL"], os.environ["JUPYTERHUB_API_TOKEN"])
    synchronizer = Synchronizer(exchange, pathlib.Path(serverapp.root_dir), serverapp.log)
    settings = {"exchange": exchange, "synchronizer": synchronizer}
    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "tp5", "rendre"), HandInHandler, settings),
        (url_path_join(base, "tp5", "bilan"), RemainingHandler, settings),
        (url_path_join(base, "tp5", "rendus"), ReceiptsHandler, settings),
        (url_path_join(base, "tp5", "retours"), FeedbackHandler, settings),
    ])
    # The kit is in ~/tp5 before JupyterLab first answers: the page it opens on is the kit's guide.
    first = threading.Thread(target=asyncio.run, args=(synchronizer.first(),))
    first.start()
    first.join(timeout=30)
    PeriodicCallback(synchronizer.everything, SYNC_EVERY_MS).start()
