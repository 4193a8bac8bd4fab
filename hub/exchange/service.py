"""The exchange as a JupyterHub service (started by the hub, reached by the students' servers).

Each request carries a JupyterHub token (the student's server's own); the hub says whose it is and
whether it may use this service. That name, and nothing in the request, decides whose files are read
or written, so that no one can list, read or change another person's hand-ins or feedback.

  GET  api/kit              the kit's files (name, size, sha256)     GET api/kit/NAME      one file
  POST api/rendus/CARNET    hand in a notebook (the body) → its receipt
  GET  api/rendus           my hand-ins' receipts, oldest first
  GET  api/retours          my feedback pages                        GET api/retours/NAME  one page
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import signal
from dataclasses import asdict
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuth
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_unix_socket

from ..layout import ClassFolder
from .store import MAX_NOTEBOOK_BYTES, Exchange, Refused


class ExchangeHandler(web.RequestHandler):
    """Who is asking, from their token; errors as JSON with a French message."""

    def initialize(self, exchange: Exchange, auth: HubAuth) -> None:
        self.exchange = exchange
        self.auth = auth
        self.person = ""

    async def prepare(self) -> None:
        header = self.request.headers.get("Authorization", "")
        token = header.split(None, 1)[1] if header.lower().startswith(("token ", "bearer ")) else ""
        user = await self.auth.user_for_token(token, sync=False) if token else None
        if not user or not self.auth.check_scopes(self.auth.access_scopes, user):
            raise web.HTTPError(403, "accès refusé : connectez-vous au serveur de la classe")
        self.person = user["name"]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.log_message if isinstance(error, web.HTTPError) and error.log_message else self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}, ensure_ascii=False))

    def send_json(self, value: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(value, ensure_ascii=False))

    def send_file(self, data: bytes, content_type: str) -> None:
        self.set_header("Content-Type", content_type)
        self.finish(data)

    def refused(self, error: Refused, status: int = 400) -> None:
        self.set_status(status)
        self.send_json({"message": str(error)})


class KitHandler(ExchangeHandler):
    def get(self, name: str = "") -> None:
        if not name:
            self.send_json([asdict(f) for f in self.exchange.kit_files()])
            return
        try:
            self.send_file(self.exchange.kit_file(name), "application/octet-stream")
        except Refused as error:
            self.refused(error, 404)


class HandInHandler(ExchangeHandler):
    def get(self) -> None:
        self.send_json([{**asdict(r), "phrase": r.sentence()} for r in self.exchange.receipts(self.person)])

    def post(self, notebook: str) -> None:
        try:
            receipt = self.exchange.hand_in(self.person, notebook, self.request.body)
        except Refused as error:
            self.refused(error)
            return
        self.log_hand_in(receipt.sentence())
        self.send_json({**asdict(receipt), "phrase": receipt.sentence()})

    def log_hand_in(self, sentence: str) -> None:
        print(f"[échange] {self.person} : {sentence}", flush=True)


class FeedbackHandler(ExchangeHandler):
    def get(self, name: str = "") -> None:
        if not name:
            self.send_json([asdict(f) for f in self.exchange.feedback_files(self.person)])
            return
        try:
            self.send_file(self.exchange.feedback_file(self.person, name), "text/html; charset=utf-8")
        except Refused as error:
            self.refused(error, 404)


def application(folder: ClassFolder, prefix: str) -> web.Application:
    settings = {"exchange": Exchange(folder), "auth": HubAuth(cache_max_age=60)}
    return web.Application([
        (rf"{prefix}api/kit", KitHandler, settings),
        (rf"{prefix}api/kit/([^/]+)", KitHandler, settings),
        (rf"{prefix}api/rendus", HandInHandler, settings),
        (rf"{prefix}api/rendus/([^/]+)", HandInHandler, settings),
        (rf"{prefix}api/retours", FeedbackHandler, settings),
        (rf"{prefix}api/retours/([^/]+)", FeedbackHandler, settings),
    ])


async def serve(folder: ClassFolder, socket: str) -> None:
    """Serves on the address the hub gives (its proxy and the teacher's tools come that way) and, on the
    class server, on a Unix socket too: the only way to the exchange from a student's sandbox."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/echange/")
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    server = HTTPServer(application(folder, prefix), max_body_size=MAX_NOTEBOOK_BYTES + 1024 ** 2)
    server.listen(url.port or 80, url.hostname or "")
    if socket:
        server.add_socket(bind_unix_socket(socket, mode=0o666))
    print(f"[échange] prêt : {url.geturl()}{prefix}" + (f" et {socket}" if socket else ""), flush=True)
    stop = asyncio.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signal_number, stop.set)
    await stop.wait()
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="le service d'échange du serveur de la classe")
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--socket", default="", help="une prise Unix où servir aussi")
    args = parser.parse_args()
    asyncio.run(serve(ClassFolder(args.folder), args.socket))


if __name__ == "__main__":
    main()
