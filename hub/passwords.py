"""The passwords of a class server, where NativeAuthenticator keeps them: JupyterHub's database (the
users_info table, bcrypt hashes). Used by the first-login page (a student's chosen password) and by
`npm run hub -- password` (a teacher's, or anyone's reset), whether the hub runs or not."""
from __future__ import annotations

import logging
import pathlib
from typing import Any

import bcrypt
import nativeauthenticator
from jupyterhub import orm
from nativeauthenticator.orm import UserInfo

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
