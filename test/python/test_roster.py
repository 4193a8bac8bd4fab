"""The class list: what a teacher's spreadsheet gives, and every mistake named by its line."""
import pytest

from hub.roster import RosterError, parse_roster, read_roster


def test_a_roster_with_students_and_a_teacher():
    roster = parse_roster("identifiant,nom,email,role\nalice,Alice Martin,alice@univ.fr,\n"
                          "bob,Bob Durand,bob@univ.fr,étudiant\nprof,Paule Prof,prof@univ.fr,Enseignante\n")
    assert [p.identifier for p in roster.students] == ["alice", "bob"]
    assert [p.identifier for p in roster.teachers] == ["prof"]
    assert roster.find("bob").name == "Bob Durand"


def test_a_spreadsheet_export_semicolons_accents_a_byte_order_mark_upper_case_and_blank_lines(tmp_path):
    path = tmp_path / "classe.csv"
    path.write_bytes("\ufeffIdentifiant;Nom;Courriel\nADupont;Anaïs Dupont;anais.dupont@univ.fr\n;;\n".encode("utf-8"))
    roster = read_roster(path)
    assert roster.people[0].identifier == "adupont"
    assert roster.people[0].name == "Anaïs Dupont"
    assert not roster.people[0].is_teacher


@pytest.mark.parametrize("rows, expected", [
    ("alice,A,a@u.fr,\nalice,B,b@u.fr,\n", "ligne 3 : identifiant « alice » déjà donné ligne 2"),
    ("alice,A,a@u.fr,\nALICE,B,b@u.fr,\n", "ligne 3 : identifiant « alice » déjà donné ligne 2"),
    ("alice,A,a@u.fr,\nbob,B,A@U.FR,\n", "ligne 3 : adresse « A@U.FR » déjà donnée ligne 2"),
    ("jean dupont,J,j@u.fr,\n", "ligne 2 : identifiant « jean dupont » invalide"),
    ("élise,E,e@u.fr,\n", "ligne 2 : identifiant « élise » invalide"),
    ("../root,R,r@u.fr,\n", "ligne 2 : identifiant « ../root » invalide"),
    ("1abc,R,r@u.fr,\n", "ligne 2 : identifiant « 1abc » invalide"),
    ("a" * 29 + ",R,r@u.fr,\n", "invalide"),
    (",R,r@u.fr,\n", "ligne 2 : identifiant vide"),
    ("alice,,a@u.fr,\n", "ligne 2 : nom vide"),
    ("alice,A,pas-une-adresse,\n", "ligne 2 : adresse e-mail « pas-une-adresse » invalide"),
    ("alice,A,a@u.fr,directeur\n", "ligne 2 : rôle « directeur » inconnu"),
])
def test_each_mistake_is_named_by_its_line(rows, expected):
    with pytest.raises(RosterError) as error:
        parse_roster("identifiant,nom,email,role\n" + rows, "classe.csv")
    assert expected in str(error.value)
    assert "rien n'a été créé ni modifié" in str(error.value)


def test_every_mistake_is_listed_at_once():
    with pytest.raises(RosterError) as error:
        parse_roster("identifiant,nom,email\nalice,A,a@u.fr\nalice,B,b@u.fr\nbob,,x\n")
    assert len(error.value.problems) == 3
    assert "3 problèmes" in str(error.value)


def test_missing_columns_an_empty_file_a_missing_file_and_another_encoding(tmp_path):
    with pytest.raises(RosterError, match="colonne\\(s\\) manquante\\(s\\) : email"):
        parse_roster("identifiant,nom\nalice,A\n")
    with pytest.raises(RosterError, match="le fichier est vide"):
        parse_roster("\n\n")
    with pytest.raises(RosterError, match="aucune personne"):
        parse_roster("identifiant,nom,email\n")
    with pytest.raises(RosterError, match="n'existe pas"):
        read_roster(tmp_path / "absente.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("identifiant,nom,email\nalice,Anaïs,a@u.fr\n".encode("latin-1"))
    with pytest.raises(RosterError, match="UTF-8"):
        read_roster(latin1)
