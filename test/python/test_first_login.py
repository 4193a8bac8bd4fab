"""Who may open an account on the class server: first-login codes (hub/codes.py), and the teacher's
commands that set passwords and hand out codes, with each bad input refused in one French line and
nothing changed."""
import io
import os
import stat
import subprocess
import sys

import pytest

from hub import cli
from hub.codes import FirstLoginCodes, canonical
from hub.layout import ClassFolder
from hub.passwords import PasswordBook

ROSTER = ("identifiant,nom,email,role\nalice,Alice Martin,alice@univ.fr,\nbob,Bob Durand,bob@univ.fr,\n"
          "prof,Paule Prof,prof@univ.fr,enseignante\n")


def test_a_code_opens_one_account_once_and_a_new_one_replaces_it(tmp_path):
    codes = FirstLoginCodes(tmp_path / "codes.json")
    first = codes.issue(["alice", "bob"])
    assert len(canonical(first["alice"])) == 12 and first["alice"] != first["bob"]
    assert codes.check("alice", first["alice"]) == ""
    # Typed as people type it: lower case, spaces instead of dashes.
    assert codes.check("alice", first["alice"].lower().replace("-", " ")) == ""
    assert "n'est pas celui de cet identifiant" in codes.check("alice", first["bob"])
    assert "aucun code" in codes.check("carol", first["alice"])
    codes.spend("alice")
    assert "a déjà servi" in codes.check("alice", first["alice"])
    assert codes.status("alice") == "utilisé" and codes.status("bob") == "valide" and codes.status("carol") == "aucun"
    second = codes.issue(["alice"])
    assert codes.check("alice", second["alice"]) == ""
    assert "n'est pas celui" in codes.check("alice", first["alice"])
    # Nobody learns a code from the file.
    text = (tmp_path / "codes.json").read_text()
    assert first["bob"] not in text and canonical(first["bob"]) not in text
    assert stat.S_IMODE(os.stat(tmp_path / "codes.json").st_mode) == 0o600


@pytest.fixture
def classe(tmp_path):
    folder = ClassFolder(tmp_path / "classe")
    folder.state.mkdir(parents=True)
    folder.roster_file.write_text(ROSTER, encoding="utf-8")
    return folder


@pytest.fixture
def hub(monkeypatch, capsys):
    """`npm run hub -- ARGS --folder FOLDER` in this process, STDIN on its standard input: its exit status
    and what it printed."""
    def command(folder: ClassFolder, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        monkeypatch.setattr(sys, "argv", ["hub", *args, "--folder", str(folder.root)])
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        status = cli.main()
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)
    return command


def has_password(folder: ClassFolder, identifier: str) -> bool:
    book = PasswordBook.open(folder.database_url)
    try:
        return book.has_password(identifier)
    finally:
        book.close()


def test_the_teacher_sets_a_password_on_the_command_line_and_resets_anyone(classe, hub):
    done = hub(classe, "password", "prof", stdin="prof-mot-de-passe-1\n")
    assert done.returncode == 0, done.stderr
    assert "mot de passe de prof (enseignant) fixé" in done.stdout
    again = hub(classe, "password", "alice", stdin="alice-nouveau-1\nalice-nouveau-1\n")
    assert "mot de passe de alice (étudiant) fixé" in again.stdout
    book = PasswordBook.open(classe.database_url)
    assert book.is_valid("prof", "prof-mot-de-passe-1") and book.is_valid("alice", "alice-nouveau-1")
    assert not book.is_valid("prof", "autre-chose-1")
    book.close()


@pytest.mark.parametrize("identifier, stdin, expected", [
    ("zoe", "un-bon-mot-de-passe\n", "« zoe » n'est pas sur la liste de la classe"),
    ("prof", "un-bon-mot-de-passe\nun-autre-mot-de-passe\n", "les deux saisies ne sont pas les mêmes"),
    ("prof", "court\n", "mot de passe trop court : il faut au moins 8 caractères"),
    ("prof", "password1\n", "c'est un mot de passe courant"),
    ("prof", "", "aucun mot de passe lu"),
])
def test_a_bad_password_command_is_one_french_line_and_changes_nothing(classe, hub, identifier, stdin, expected):
    done = hub(classe, "password", identifier, stdin=stdin)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], done.stderr
    assert not has_password(classe, identifier)


def test_codes_go_to_the_students_without_a_password_as_a_private_table_and_sheet(classe, hub):
    hub(classe, "password", "bob", stdin="bob-mot-de-passe-1\n")
    out = classe.root.parent / "codes"
    done = hub(classe, "codes", "--out", str(out), "--url", "https://tp5.univ.example/")
    assert done.returncode == 0, done.stderr
    rows = (out / "codes.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "identifiant,nom,email,code,adresse"
    assert [row.split(",")[0] for row in rows[1:]] == ["alice"]
    code = rows[1].split(",")[3]
    assert FirstLoginCodes(classe.codes_file).check("alice", code) == ""
    sheet = (out / "codes.html").read_text(encoding="utf-8")
    assert "Alice Martin" in sheet and code in sheet and "https://tp5.univ.example/" in sheet
    for name in ("codes.csv", "codes.html"):
        assert stat.S_IMODE(os.stat(out / name).st_mode) == 0o600


@pytest.mark.parametrize("names, expected", [
    (["prof"], "prof est enseignant : pas de code"),
    (["alice", "zoe"], "« zoe » n'est pas sur la liste de la classe"),
])
def test_no_code_for_a_teacher_or_a_stranger_and_none_issued_then(classe, hub, names, expected):
    done = hub(classe, "codes", *names, "--out", str(classe.root.parent / "codes"))
    assert done.returncode == 2 and expected in done.stderr
    assert "aucun code n'a été donné" in done.stderr
    assert not classe.codes_file.exists()
