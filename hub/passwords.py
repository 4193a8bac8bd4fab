"""The passwords of a class server, where NativeAuthenticator keeps them: JupyterHub's database (the
users_info table, bcrypt hashes). Used by the first-login page (a student's chosen password) and by
`npm run hub -- password` (a teacher's, or anyone's reset), whether the hub runs or not.

On Kubernetes, where the hub's database is in the hub's pod, the same command runs there with the login
modules alone: `python3 -m hub.passwords IDENTIFIANT --roster … --database …` (zero-to-jupyterhub.yaml)."""
from __future__ import annotations

import argparse
import getpass
import logging
import pathlib
import sys
from typing import Any

import bcrypt
import nativeauthenticator
from jupyterhub import orm
from nativeauthenticator.orm import UserInfo

from .roster import Roster, RosterError, read_roster

MINIMUM_LENGTH = 8
#: NativeAuthenticator's list of common passwords (about 10,000), refused as it refuses them.
COMMON = pathlib.Path(nativeauthenticator.__file__).with_name("common-credentials.txt")
_common: set[str] = set()


def weakness(password: str) -> str:
    """Why a password is refused, in French ("" when it is accepted)."""
    if len(password) < MINIMUM_LENGTH:
        return f"mot de passe trop court : il faut au moins {MINIMUM_LENGTH} caractères"
    if not _common:
        _common.update(COMMON.read_text(encoding="utf-8").splitlines())
    if password in _common:
        return "mot de passe refusé : c'est un mot de passe courant, choisissez-en un autre"
    return ""


class PasswordBook:
    """The passwords in one JupyterHub database session."""

    def __init__(self, db: Any):
        self.db = db

    @staticmethod
    def open(db_url: str) -> PasswordBook:
        """The book of the hub's database at `db_url`, made (as JupyterHub makes it) if there is none yet."""
        logging.disable(logging.INFO)  # the schema check's notes are JupyterHub's, not the teacher's
        try:
            return PasswordBook(orm.new_session_factory(db_url)())
        finally:
            logging.disable(logging.NOTSET)

    def has_password(self, identifier: str) -> bool:
        return UserInfo.find(self.db, identifier) is not None

    def is_valid(self, identifier: str, password: str) -> bool:
        info = UserInfo.find(self.db, identifier)
        return info is not None and bool(info.is_valid_password(password))

    def set(self, identifier: str, password: str) -> None:
        """Sets the person's password (an account able to log in), replacing any earlier one."""
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
        info = UserInfo.find(self.db, identifier)
        if info is None:
            self.db.add(UserInfo(username=identifier, password=hashed, is_authorized=True))
        else:
            info.password = hashed
            info.is_authorized = True
        self.db.commit()

    def close(self) -> None:
        self.db.close()


class PasswordRefused(Exception):
    """A password command refused, in one French line; nothing was changed."""


def read_new_password(identifier: str) -> str:
    """The new password: asked twice on a terminal, or one line of standard input (two lines: the same twice)."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"Nouveau mot de passe pour {identifier} : ")
        second = getpass.getpass("Le même, encore : ")
    else:
        lines = sys.stdin.read().splitlines()
        first = lines[0] if lines else ""
        second = lines[1] if len(lines) > 1 else first
    if not first:
        raise PasswordRefused("aucun mot de passe lu : tapez-le (deux fois) ou donnez-le sur l'entrée standard ; rien n'a changé")
    if first != second:
        raise PasswordRefused("les deux saisies ne sont pas les mêmes : recommencez ; rien n'a changé")
    weak = weakness(first)
    if weak:
        raise PasswordRefused(f"{weak} ; rien n'a changé")
    return first


def set_password(roster: Roster, db_url: str, identifier: str) -> str:
    """Sets the password of a person of the roster, read as read_new_password reads it; what was done, in French."""
    person = roster.find(identifier.strip().lower())
    if person is None:
        raise PasswordRefused(f"« {identifier} » n'est pas sur la liste de la classe ; rien n'a changé")
    password = read_new_password(person.identifier)
    book = PasswordBook.open(db_url)
    try:
        had = book.has_password(person.identifier)
        book.set(person.identifier, password)
    finally:
        book.close()
    role = "enseignant" if person.is_teacher else "étudiant"
    return f"mot de passe de {person.identifier} ({role}) {'changé' if had else 'fixé'} : {person.identifier} se connecte avec lui"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 -m hub.passwords", description="fixer le mot de passe d'une personne de la liste")
    parser.add_argument("identifier", metavar="IDENTIFIANT")
    parser.add_argument("--roster", type=pathlib.Path, default=pathlib.Path("/srv/tp5-classe/hub/liste.csv"))
    parser.add_argument("--database", default="sqlite:////srv/jupyterhub/jupyterhub.sqlite")
    args = parser.parse_args()
    try:
        print(f"[classe] {set_password(read_roster(args.roster), args.database, args.identifier)}")
    except (PasswordRefused, RosterError) as error:
        print(f"[classe] erreur : {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
