"""Logging in: NativeAuthenticator (passwords kept by the hub, hashed with bcrypt), restricted to the
roster. A person's first visit is a sign-up: their identifier, the e-mail address the roster gives for
it, and a password they choose; no one outside the roster can sign up, and no teacher types a password.
A forgotten password is reset by a teacher (hub admin) at /hub/change-password/<identifiant>.

The pages are the project's French templates (hub/templates); the few messages NativeAuthenticator
writes in Python are said again in French here."""
from __future__ import annotations

import pathlib
from typing import Any

from jupyterhub.handlers.login import LoginHandler as HubLoginHandler
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from nativeauthenticator.handlers import SignUpHandler
from traitlets import Unicode

from .roster import Roster, read_roster


class RosterAuthenticator(NativeAuthenticator):  # type: ignore[misc]
    roster_file = Unicode(config=True, help="the roster the server was started with")

    _roster: Roster | None = None

    @property
    def roster(self) -> Roster:
        if self._roster is None:
            self._roster = read_roster(pathlib.Path(self.roster_file))
        return self._roster

    def refusal(self, username: str, email: str, password: str) -> str:
        """Why a sign-up is refused, in French ("" when it is not)."""
        person = self.roster.find(self.normalize_username(username))
        if person is None:
            return (f"« {username} » n'est pas sur la liste de la classe : utilisez l'identifiant que "
                    "votre enseignant vous a donné")
        if email.strip().lower() != person.email.lower():
            return (f"cette adresse n'est pas celle que la liste de la classe donne pour « {person.identifier} » : "
                    "utilisez votre adresse de l'université")
        if not self.is_password_strong(password):
            return (f"mot de passe refusé : il faut au moins {self.minimum_password_length} caractères, "
                    "et pas un mot de passe courant")
        return ""

    def validate_username(self, username: str) -> bool:
        return bool(super().validate_username(username)) and self.roster.find(username) is not None

    def create_user(self, username: str, password: str, **kwargs: Any) -> Any:
        if self.refusal(username, kwargs.get("email", ""), password):
            return None
        return super().create_user(username, password, **kwargs)

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        ours = {r"/signup": SignUpPage, r"/login": LoginPage}
        return [(path, ours.get(path, handler)) for path, handler in super().get_handlers(app)]


class LoginPage(NativeLoginHandler):  # type: ignore[misc]
    """NativeAuthenticator's login page, its form handled by JupyterHub's own login handler:
    NativeAuthenticator 1.3 times logins with a statsd client that JupyterHub 6 no longer has."""

    post = HubLoginHandler.post

    def _render(self, login_error: str | None = None, username: str | None = None, **_: Any) -> Any:
        return super()._render(login_error=login_error, username=username)


class SignUpPage(SignUpHandler):  # type: ignore[misc]
    """NativeAuthenticator's sign-up page, with the reason for a refusal, in French."""

    refusal = ""

    async def post(self) -> None:
        self.refusal = self.authenticator.refusal(self.get_body_argument("username", ""),
                                                  self.get_body_argument("email", ""),
                                                  self.get_body_argument("signup_password", ""))
        await super().post()

    def get_result_message(self, user: Any, assume_user_is_human: bool, username_already_taken: bool,
                           confirmation_matches: bool, user_is_admin: bool) -> tuple[str, str]:
        if username_already_taken:
            return "alert-danger", ("ce compte existe déjà : connectez-vous. Mot de passe oublié ? "
                                    "Votre enseignant peut le réinitialiser.")
        if not confirmation_matches:
            return "alert-danger", "les deux mots de passe ne sont pas les mêmes : recommencez"
        if user is None:
            return "alert-danger", self.refusal or "inscription refusée"
        return "alert-success", "compte créé : vous pouvez vous connecter."
