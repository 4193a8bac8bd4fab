"""First-login codes: how a student proves, on their first visit, that they are who the roster says.

A teacher's identifier and a student's university e-mail are public, so neither may open an account.
`npm run hub -- codes` gives each student a random code that only they receive (a mail merge, or a
printed slip handed out in class); the first visit asks for the identifier, that code and a chosen
password, and spends the code. A new code for the same student (a lost slip, a forgotten password)
replaces the old one and lets them choose a new password. Teachers never get a code: their password
is set on the command line (`npm run hub -- password`).

Only a salted SHA-256 of each code is kept, in the class folder's root-only state (codes.json): the
file tells nobody a code. Codes have 12 characters out of 31 (about 59 bits), and wrong attempts are
limited per identifier, so guessing one is hopeless.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import pathlib
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Iterator

from .json_files import changing_json, read_json

#: Letters and digits that cannot be mistaken for one another on paper (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12


def new_code() -> str:
    """A fresh code, in groups of four for reading aloud: « K7RM-2QXP-9TZD »."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def canonical(code: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes."""
    return "".join(code.split()).replace("-", "").upper()


@dataclass(frozen=True)
class Entry:
    salt: str
    digest: str
    issued: str
    #: When the code was used ("" while it is still valid).
    spent: str = ""


def digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{canonical(code)}".encode()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FirstLoginCodes:
    """The codes of one class, in a JSON file; each change is written atomically, under a lock (the hub
    spends codes while a teacher may be issuing new ones)."""

    def __init__(self, path: pathlib.Path):
        self.path = path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Entry]]:
        """The entries, for changing them: written back when the block ends without an error."""
        with changing_json(self.path) as data:
            entries = {identifier: Entry(**entry) for identifier, entry in data.items()}
            yield entries
            data.clear()
            data.update({identifier: asdict(entry) for identifier, entry in entries.items()})

    def _read(self) -> dict[str, Entry]:
        return {identifier: Entry(**entry) for identifier, entry in read_json(self.path).items()}

    def issue(self, identifiers: list[str]) -> dict[str, str]:
        """New codes for these people (replacing any earlier one); identifier → code, shown once."""
        codes = {identifier: new_code() for identifier in identifiers}
        with self._locked() as entries:
            for identifier, code in codes.items():
                salt = secrets.token_hex(8)
                entries[identifier] = Entry(salt, digest(salt, code), now())
        return codes

    def status(self, identifier: str) -> str:
        """« valide », « utilisé » or « aucun »."""
        entry = self._read().get(identifier)
        if entry is None:
            return "aucun"
        return "utilisé" if entry.spent else "valide"

    def check(self, identifier: str, code: str) -> str:
        """Why this code does not open this person's account ("" when it does, and it is not spent yet)."""
        entry = self._read().get(identifier)
        if entry is None:
            return ("aucun code de première connexion n'a été donné pour cet identifiant : "
                    "demandez-en un à votre enseignant")
        if not hmac.compare_digest(entry.digest, digest(entry.salt, code)):
            return "ce code n'est pas celui de cet identifiant : vérifiez les deux (le code est sur votre fiche)"
        if entry.spent:
            return ("ce code a déjà servi : connectez-vous avec le mot de passe choisi alors, "
                    "ou demandez un nouveau code à votre enseignant")
        return ""

    def spend(self, identifier: str) -> None:
        with self._locked() as entries:
            entries[identifier] = Entry(**{**asdict(entries[identifier]), "spent": now()})
