"""Logging in: NativeAuthenticator (passwords kept by the hub, hashed with bcrypt), restricted to the
roster, with no account made from public facts.

- A student's first visit (/hub/signup, « Première connexion ») asks for their identifier, the
  first-login code that only they received (hub/codes.py) and a password they choose; the code is then
  spent. A new code from the teacher lets a student choose a new password the same way.
- A teacher's password is set on the command line (`npm run hub -- password`): no page opens a teacher's
  account, with or without a code.
- Wrong codes count as failed logins: five in a row lock the identifier for a minute.
- Of NativeAuthenticator's pages, only logging in and changing a password (one's own, or anyone's for a
  teacher) remain: its sign-up, e-mail confirmation and authorization pages are not served.

The pages are the project's French templates (hub/templates)."""
from __future__ import annotations

import pathlib
from typing import Any

from jupyterhub.handlers.login import LoginHandler as HubLoginHandler
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import ChangePasswordAdminHandler, ChangePasswordHandler, LocalBase
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from traitlets import Unicode
from traitlets.config import Configurable

from .codes import FirstLoginCodes
from .passwords import PasswordBook, weakness
from .roster import Roster, read_roster


class FromTheRoster(Configurable):
    """What both logins (passwords, LTI) start from: the roster the server was started with, read once."""

    roster_file = Unicode(config=True, help="the roster the server was started with")

    _roster: Roster | None = None

    @property
    def roster(self) -> Roster:
        if self._roster is None:
            self._roster = read_roster(pathlib.Path(self.roster_file))
        return self._roster


class RosterAuthenticator(FromTheRoster, NativeAuthenticator):  # type: ignore[misc]
    codes_file = Unicode(config=True, help="the first-login codes (hub/codes.py)")

    def validate_username(self, username: str) -> bool:
        return bool(super().validate_username(username)) and self.roster.find(username) is not None

    def create_user(self, username: str, password: str, **kwargs: Any) -> None:
        """NativeAuthenticator's open sign-up: never (accounts come from a first-login code, or the command line)."""
        return None

    def first_login(self, identifier: str, code: str, password: str, confirmation: str) -> str:
        """Sets the student's chosen password if their code opens their account; why not, in French ("" when done)."""
        identifier = self.normalize_username(identifier.strip())
        if self.is_blocked(identifier):
            return f"trop d'essais manqués : attendez {self.seconds_before_next_try} secondes, puis recommencez"
        person = self.roster.find(identifier)
        if person is None:
            return (f"« {identifier} » n'est pas sur la liste de la classe : utilisez l'identifiant "
                    "que votre enseignant vous a donné")
        if person.is_teacher:
            return ("un compte d'enseignant ne s'ouvre pas ici : son mot de passe se fixe sur le serveur "
                    f"(npm run hub -- password {identifier})")
        codes = FirstLoginCodes(pathlib.Path(self.codes_file))
        wrong = codes.check(identifier, code)
        if wrong:
            self.add_login_attempt(identifier)
            return wrong
        if password != confirmation:
            return "les deux mots de passe ne sont pas les mêmes : recommencez"
        weak = weakness(password)
        if weak:
            return weak
        PasswordBook(self.db).set(identifier, password)
        codes.spend(identifier)
        self.successful_login(identifier)
        return ""

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        return [
            (r"/login", LoginPage),
            (r"/signup", FirstLoginPage),
            (r"/change-password", ChangePasswordHandler),
            (r"/change-password/([^/]+)", ChangePasswordAdminHandler),
        ]


class LoginPage(NativeLoginHandler):  # type: ignore[misc]
    """NativeAuthenticator's login page, its form handled by JupyterHub's own login handler:
    NativeAuthenticator 1.3 times logins with a statsd client that JupyterHub 6 no longer has."""

    post = HubLoginHandler.post

    def _render(self, login_error: str | None = None, username: str | None = None, **_: Any) -> Any:
        return super()._render(login_error=login_error, username=username)


class FirstLoginPage(LocalBase):  # type: ignore[misc]
    """« Première connexion » : identifier, first-login code, chosen password."""

    async def get(self) -> None:
        self.finish(await self.render_template("signup.html", alert="", result_message=""))

    async def post(self) -> None:
        identifier = self.get_body_argument("username", "")
        refusal = self.authenticator.first_login(identifier, self.get_body_argument("code", ""),
                                                 self.get_body_argument("signup_password", "", strip=False),
                                                 self.get_body_argument("signup_password_confirmation", "", strip=False))
        message = refusal or "mot de passe enregistré : vous pouvez vous connecter."
        self.finish(await self.render_template("signup.html", alert="alert-danger" if refusal else "alert-success",
                                               result_message=message, username=identifier))
