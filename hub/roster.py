"""The class list: one row per person (identifier, name, e-mail, role), read from a CSV file the teacher
writes or exports from a spreadsheet. Every problem is found before anything is created, and each one is
named by its line, so that a teacher can fix the file in one pass."""
import csv
import io
import pathlib
import re
import unicodedata
from dataclasses import dataclass

#: An identifier becomes a hub user name and, prefixed, a Unix account (32 characters at most).
IDENTIFIER = re.compile(r"^[a-z][a-z0-9._-]{0,27}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IDENTIFIER_RULE = ("lettres minuscules sans accent, chiffres, « . », « _ » ou « - », "
                   "commençant par une lettre, 28 caractères au plus")

#: Accepted column titles (compared without case or accents) → the field they fill.
COLUMNS = {
    "identifiant": "identifier", "id": "identifier", "login": "identifier", "username": "identifier",
    "nom": "name", "name": "name", "nom complet": "name",
    "email": "email", "e-mail": "email", "courriel": "email", "mail": "email", "adresse e-mail": "email",
    "role": "role",
}
ROLES = {"": "student", "etudiant": "student", "etudiante": "student", "student": "student",
         "enseignant": "teacher", "enseignante": "teacher", "teacher": "teacher", "prof": "teacher"}


class RosterError(Exception):
    """What is wrong with a roster file, line by line."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        count = f"{len(problems)} problème" + ("s" if len(problems) > 1 else "")
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"liste de classe {source} : {count}, rien n'a été créé ni modifié :\n{lines}")


@dataclass(frozen=True)
class Person:
    identifier: str
    name: str
    email: str
    is_teacher: bool


@dataclass(frozen=True)
class Roster:
    people: tuple[Person, ...]

    @property
    def students(self) -> list[Person]:
        return [p for p in self.people if not p.is_teacher]

    @property
    def teachers(self) -> list[Person]:
        return [p for p in self.people if p.is_teacher]

    def find(self, identifier: str) -> Person | None:
        return next((p for p in self.people if p.identifier == identifier), None)


def plain(text: str) -> str:
    """Lower case without accents, for comparing column titles and roles."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def read_roster(path: pathlib.Path) -> Roster:
    """The roster in `path`; RosterError naming every line that is wrong."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RosterError(str(path), ["le fichier n'existe pas"]) from None
    except IsADirectoryError:
        raise RosterError(str(path), ["c'est un dossier, pas un fichier CSV"]) from None
    except UnicodeDecodeError as error:
        raise RosterError(str(path), [f"le fichier n'est pas en UTF-8 (octet {error.start}) : "
                                      "enregistrez-le en « CSV UTF-8 »"]) from None
    return parse_roster(text, str(path))


def parse_roster(text: str, source: str = "") -> Roster:
    """A roster from CSV text: a title row, then one row per person, separated by commas or semicolons."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise RosterError(source, ["le fichier est vide : il faut une ligne de titres "
                                   "(identifiant, nom, email, role) puis une ligne par personne"])
    header = next(line for line in lines if line.strip())
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    titles = [plain(t) for t in next(rows)]
    fields = [COLUMNS.get(t) for t in titles]
    missing = [name for name in ("identifier", "name", "email") if name not in fields]
    if missing:
        wanted = {"identifier": "identifiant", "name": "nom", "email": "email"}
        raise RosterError(source, [f"ligne 1 : colonne(s) manquante(s) : {', '.join(wanted[m] for m in missing)} "
                                   f"(titres lus : {', '.join(titles)} ; attendus : identifiant, nom, email et, "
                                   "facultatif, role)"])
    people: list[Person] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {field: cell.strip() for field, cell in zip(fields, row) if field}
        person, wrong = person_from(values, number)
        problems += wrong
        if person is None:
            continue
        if person.identifier in seen:
            problems.append(f"ligne {number} : identifiant « {person.identifier} » déjà donné ligne {seen[person.identifier]}")
        elif person.email.lower() in emails:
            problems.append(f"ligne {number} : adresse « {person.email} » déjà donnée ligne {emails[person.email.lower()]}")
        else:
            seen[person.identifier] = number
            emails[person.email.lower()] = number
            people.append(person)
    if not people and not problems:
        problems.append("aucune personne : ajoutez une ligne par étudiant sous la ligne de titres")
    if problems:
        raise RosterError(source, problems)
    return Roster(tuple(people))


def person_from(values: dict[str, str], number: int) -> tuple[Person | None, list[str]]:
    """One row's person, or the problems that keep it from being one."""
    problems: list[str] = []
    identifier = values.get("identifier", "").lower()
    if not IDENTIFIER.match(identifier):
        shown = values.get("identifier", "")
        problems.append(f"ligne {number} : identifiant « {shown} » invalide" if shown else f"ligne {number} : identifiant vide")
        problems[-1] += f" ({IDENTIFIER_RULE})"
    name = values.get("name", "")
    if not name:
        problems.append(f"ligne {number} : nom vide")
    email = values.get("email", "")
    if not EMAIL.match(email):
        problems.append(f"ligne {number} : adresse e-mail « {email} » invalide" if email else f"ligne {number} : adresse e-mail vide")
    role = plain(values.get("role", ""))
    if role not in ROLES:
        problems.append(f"ligne {number} : rôle « {values.get('role')} » inconnu (étudiant, enseignant ou vide pour étudiant)")
    if problems:
        return None, problems
    return Person(identifier, name, email, ROLES[role] == "teacher"), []
