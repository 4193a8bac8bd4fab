"""A test LMS on the loopback: an LTI 1.3 platform (lti1p3platform) with a course, its students, its
gradebook (LTI Advantage AGS line items and scores) and a switch that makes it fail, for the class
server's LMS round trip (test_lms_round_trip.py).

  python test/helpers/test_lms.py PORT TOOL_URL TOOL_JWKS_FILE

prints « prêt » once it listens. Its endpoints:
  GET  /lancer?sub=…&email=…&login=…&role=Learner|Instructor   a launch: to the tool's login initiation
  GET  /auth                    the OIDC authentication request: the signed id_token, as a form to post
  GET  /jwks                    the platform's public key set
  POST /token                   OAuth 2 client credentials with the tool's signed JWT → an access token
  GET|POST /lineitems           the course's line items; GET|POST /lineitems/N/scores its scores
  POST /panne?count=N&status=S  the next N gradebook requests answer S (503…)
  GET  /carnet                  the gradebook as JSON (line items, every score received)
"""
from __future__ import annotations

import html
import json
import sys
import typing as t
import uuid
from urllib.parse import urlencode

import tornado.ioloop
import tornado.web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.exceptions import LtiException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

CLIENT_ID = "tp5-outil"
DEPLOYMENT_ID = "deploiement-1"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def key_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return t.cast(Registration, self.registration)


class TornadoRequest(Request):
    def build_metadata(self, request: t.Any) -> t.Any:
        arguments = {k: v[-1].decode() for k, v in request.arguments.items()}
        return {"method": request.method, "form_data": arguments if request.method == "POST" else {},
                "get_data": arguments if request.method == "GET" else {}, "headers": request.headers,
                "content_type": request.headers.get("Content-Type"), "path": request.path, "json": None}


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> str:
        fields = "".join(f'<input type="hidden" name="{name}" value="{html.escape(str(launch_data[name]))}">'
                         for name in ("id_token", "state"))
        return (f'<html><body><form id="lancement" method="post" action="{html.escape(launch_data["launch_url"])}">'
                f'{fields}</form><script>document.getElementById("lancement").submit()</script></body></html>')


class Lms:
    """The platform's state: its registration of the tool, pending launches, the gradebook, the failures to come."""

    def __init__(self, base: str, tool_url: str, tool_jwks: dict[str, t.Any]):
        private_pem, public_pem = key_pair()
        self.base = base
        self.registration = (Registration().set_iss(base).set_client_id(CLIENT_ID).set_deployment_id(DEPLOYMENT_ID)
                             .set_oidc_login_url(tool_url.rstrip("/") + "/hub/lti13/oauth_login")
                             .set_launch_url(tool_url.rstrip("/") + "/hub/lti13/oauth_callback")
                             .set_platform_private_key(private_pem).set_platform_public_key(public_pem)
                             .set_tool_key_set(tool_jwks))
        self.launches: dict[str, dict[str, str]] = {}
        self.lineitems: list[dict[str, t.Any]] = []
        self.scores: list[dict[str, t.Any]] = []
        self.failures: list[int] = []

    def platform(self) -> Platform:
        platform = Platform(registration=self.registration)
        platform.get_registration()
        return platform


class Handler(tornado.web.RequestHandler):
    def initialize(self, lms: Lms) -> None:
        self.lms = lms

    def check_xsrf_cookie(self) -> None:
        return None

    def gradebook_request(self) -> bool:
        """Whether the request may go on: a bearer token of the platform's with the score scope, and no
        failure to play."""
        if self.lms.failures:
            self.set_status(self.lms.failures.pop(0))
            self.finish("panne simulée")
            return False
        token = self.request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            allowed = self.lms.platform().validate_token(token, allowed_scopes=[SCORE_SCOPE])
        except Exception:  # any bad token  # noqa: BLE001
            allowed = False
        if not allowed:
            self.set_status(401)
            self.finish("jeton refusé")
        return allowed


class StartLaunch(Handler):
    def get(self) -> None:
        hint = uuid.uuid4().hex
        self.lms.launches[hint] = {k: self.get_argument(k, "") for k in ("sub", "email", "login", "role", "name", "aud")}
        login = Login(TornadoRequest(self.request), self.lms.platform())
        login.set_lti_message_hint(hint=hint)
        self.redirect(login.initiate_login(self.get_argument("sub")))


class Authenticate(Handler):
    def get(self) -> None:
        person = self.lms.launches.get(self.get_argument("lti_message_hint", ""))
        if person is None or self.get_argument("redirect_uri", "") != self.lms.registration.get_launch_url():
            raise tornado.web.HTTPError(400, "lancement inconnu ou redirection non déclarée")
        launch = Launch(TornadoRequest(self.request), self.lms.platform())
        role = "Instructor" if person["role"] == "Instructor" else "Learner"
        launch.set_user_data(person["sub"], [f"http://purl.imsglobal.org/vocab/lis/v2/membership#{role}"],
                             full_name=person["name"] or None, email_address=person["email"] or None)
        launch.set_launch_context_claim("cours-tp5", context_title="Apprentissage profond", context_label="AP")
        launch.set_resource_link_claim("activite-tp5", title="TP5 Auto-encodeurs")
        launch.set_ags(lineitems_url=f"{self.lms.base}/lineitems", allow_creating_lineitems=True)
        launch.set_extra_claims({"https://purl.imsglobal.org/spec/lti/claim/ext": {"user_username": person["login"]}})
        if person["aud"]:  # a launch meant for another tool
            launch.set_extra_claims({"aud": person["aud"], "azp": person["aud"]})
        self.finish(launch.lti_launch())


class KeySet(Handler):
    def get(self) -> None:
        self.finish(self.lms.platform().get_jwks())


class Token(Handler):
    def post(self) -> None:
        form = {k: v[-1].decode() for k, v in self.request.body_arguments.items()}
        try:
            self.finish(self.lms.platform().get_access_token(form))
        except (LtiException, Exception) as error:  # noqa: BLE001
            self.set_status(400)
            self.finish({"error": "invalid_client", "error_description": str(error)})


class LineItems(Handler):
    def get(self) -> None:
        if self.gradebook_request():
            self.finish(json.dumps(self.lms.lineitems))

    def post(self) -> None:
        if not self.gradebook_request():
            return
        item = {**json.loads(self.request.body), "id": f"{self.lms.base}/lineitems/{len(self.lms.lineitems) + 1}"}
        self.lms.lineitems.append(item)
        self.set_status(201)
        self.finish(item)


class Scores(Handler):
    def post(self, number: str) -> None:
        if not self.gradebook_request():
            return
        if not 1 <= int(number) <= len(self.lms.lineitems):
            raise tornado.web.HTTPError(404)
        self.lms.scores.append({**json.loads(self.request.body), "lineitem": self.lms.lineitems[int(number) - 1]["id"]})
        self.set_status(204)
        self.finish()


class Failures(Handler):
    def post(self) -> None:
        self.lms.failures = [int(self.get_argument("status", "503"))] * int(self.get_argument("count"))
        self.finish("ok")


class Gradebook(Handler):
    def get(self) -> None:
        self.finish({"lineitems": self.lms.lineitems, "scores": self.lms.scores})


def main() -> None:
    port, tool_url, jwks_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    with open(jwks_file, encoding="utf-8") as source:
        tool_jwks = json.load(source)
    lms = Lms(f"http://127.0.0.1:{port}", tool_url, tool_jwks)
    settings = {"lms": lms}
    app = tornado.web.Application([
        (r"/lancer", StartLaunch, settings), (r"/auth", Authenticate, settings), (r"/jwks", KeySet, settings),
        (r"/token", Token, settings), (r"/lineitems", LineItems, settings),
        (r"/lineitems/(\d+)/scores", Scores, settings), (r"/panne", Failures, settings), (r"/carnet", Gradebook, settings),
    ])
    app.listen(port, address="127.0.0.1")
    print("prêt", urlencode({"port": port}), flush=True)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
