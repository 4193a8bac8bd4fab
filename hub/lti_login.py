"""The hub's login when the class comes in from the LMS: jupyterhub-ltiauthenticator's LTI 1.3 launch, the
person found in the roster by one claim (hub/lti.py), their launch kept, a refusal said in French."""
from __future__ import annotations

import pathlib
from typing import Any

from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import LoginError
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler
from tornado.web import HTTPError
from traitlets import Unicode

from .authenticator import FromTheRoster
from .lti import CLAIMS, OIDC_LOGIN, REDIRECTION, claimed, person_of, record_launch


class LmsOnlyLoginPage(BaseHandler):  # type: ignore[misc]
    """/hub/login when the class comes in from the LMS: where to go instead, in French."""

    async def get(self) -> None:
        self.finish(await self.render_template("lti-connexion.html"))


UNVERIFIED = ("Ce lancement n'a pas pu être vérifié (il ne vient pas de la plateforme de votre cours, ou il a déjà "
              "servi) : relancez l'activité depuis la page de votre cours ; si cela recommence, prévenez votre enseignant.")


class LaunchPage(LTI13CallbackHandler):  # type: ignore[misc]
    """The launch's end (the LMS posts its id_token here): a refused launch is told why, in French, where
    the handler it extends answers in English."""

    refusal = ""

    async def post(self) -> None:
        try:
            await super().post()
        except HTTPError as error:
            # A person not on the roster: 403 and who they are; a launch that does not verify (signature,
            # audience, state or nonce, e.g. a replayed or forwarded launch): its status, the cause in the log.
            status, reason = (403, self.refusal) if self.refusal else (error.status_code, UNVERIFIED)
            self.log.warning("LTI launch refused (%s): %s", status, error.log_message)
            self.set_status(status)
            self.finish(await self.render_template("lti-refus.html", reason=reason))


class RosterLTIAuthenticator(FromTheRoster, LTI13Authenticator):  # type: ignore[misc]
    launches_file = Unicode(config=True, help="where each person's last launch is kept (read by send-grades)")
    identity_claim = Unicode("email", config=True, help="the id_token claim that names a person of the roster")

    async def authenticate(self, handler: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """The launch's person of the roster, a teacher only if the roster says so; their launch kept."""
        token = data or {}
        person = person_of(self.roster, token, self.identity_claim)
        if person is None:
            value = claimed(token, self.identity_claim)
            what = CLAIMS.get(self.identity_claim, f"le paramètre personnalisé {self.identity_claim[len('custom:'):]}")
            handler.refusal = (f"« {value} » ({what}) n'est pas sur la liste de la classe de ce serveur : demandez à "
                               "votre enseignant de vous y ajouter." if value else
                               f"Le LMS n'a pas envoyé {what} : demandez à votre enseignant de vérifier la "
                               "configuration LTI du cours.")
            raise LoginError(handler.refusal)
        record_launch(pathlib.Path(self.launches_file), person.identifier, token)
        return {"name": person.identifier, "admin": person.is_teacher}

    def check_allowed(self, username: str, authentication: dict[str, Any] | None = None) -> bool:
        return self.roster.find(username) is not None

    def login_url(self, base_url: str) -> str:
        """Where the hub sends a visitor who is not logged in: a page saying to come from the LMS (the
        launch's own entry, OIDC_LOGIN, answers only the LMS's requests)."""
        return str(url_path_join(base_url, "login"))

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        return [(r"/login", LmsOnlyLoginPage), (f"/{OIDC_LOGIN}", self.login_handler), (f"/{REDIRECTION}", LaunchPage)]
