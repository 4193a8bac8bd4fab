"""What the teacher and the students read: the console's line, the feedback page, grades.csv,
notes-moodle.csv (Moodle's import), the manual points and the written answers' page."""
import csv
import pathlib

import pytest

from grader.grading.class_files import MANUAL_POINTS, write_class_files, write_grades
from grader.grading.console import console_line, duration
from grader.grading.feedback_page import feedback_page
from grader.grading.records import Graded, Note, Point, Verdict


def alice() -> Graded:
    return Graded("alice", "01.ipynb", 1, [
        Verdict("0", True, [Point("right", "données prêtes")]),
        Verdict("1.2", False, [Point("wrong", "Dense n°1 : 2 rangées au lieu de 4")]),
        Verdict("1.4", False, [Point("wrong", "Dense n°1 : entraîné sur des images de test")]),
    ], {"1.3": "parce que", "1.5": ""}, [Note("given-cell", "cellule donnée n°3 modifiée : remise d'origine"),
                                         Note("cell", "TypeError: x", "1.2", 18)])


def bob(part: int = 1) -> Graded:
    return Graded("bob", f"0{part}.ipynb", part, [Verdict("0", True)], {})


def test_the_console_line_names_what_to_revise_and_why() -> None:
    assert console_line(alice()) == ("1 / 3 ; à revoir : 1.2, 1.4 ; cellule 18 (question 1.2) : TypeError: x (+1 remarque)")
    assert console_line(bob(), reused=True) == "1 / 1 (déjà corrigé, inchangé)"
    no_note = Graded("carol", "01.ipynb", 1, [Verdict("1.4", False, [Point("wrong", "pas de perte de validation")])])
    assert console_line(no_note) == "0 / 1 ; à revoir : 1.4 ; pas de perte de validation"
    assert [duration(s) for s in (4.4, 245)] == ["4 s", "4 min 05 s"]


def test_the_feedback_page_shows_each_verdict_and_note_and_runs_nothing(tmp_path: pathlib.Path) -> None:
    graded = alice()
    graded.notes.append(Note("judge", "<script>alert(1)</script>", "1.4"))
    page = feedback_page(graded, tmp_path / "absent.ipynb")
    assert "<b>1 / 3</b>" in page
    assert "✘ Question 1.2</td><td>Dense n°1 : 2 rangées au lieu de 4" in page
    assert "✔ Question 0</td><td>juste" in page
    assert "cellule 18 (question 1.2) : TypeError: x" in page
    assert "<script" not in page


def read_csv(path: pathlib.Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def test_grades_moodle_and_manual_points(tmp_path: pathlib.Path) -> None:
    results = [alice(), bob(1), bob(2)]
    write_class_files(tmp_path, results)
    grades = read_csv(tmp_path / "grades.csv")
    assert [(r["student"], r["auto_points"], r["q1.2"], r["redige_1.3"], r["redige_1.5"], r["total"]) for r in grades] == [
        ("alice", "1", "0", "rédigée", "vide", "1"), ("bob", "1", "", "", "", "1"), ("bob", "1", "", "", "", "1")]
    assert grades[0]["notes"] == "cellule donnée n°3 modifiée : remise d'origine | cellule 18 (question 1.2) : TypeError: x"
    assert read_csv(tmp_path / "notes-moodle.csv") == [
        {"identifiant": "alice", "TP5 partie 1": "1", "TP5 partie 2": "", "TP5 total": "1"},
        {"identifiant": "bob", "TP5 partie 1": "1", "TP5 partie 2": "1", "TP5 total": "2"}]
    template = read_csv(tmp_path / MANUAL_POINTS)
    assert [(r["student"], r["question"]) for r in template] == [("alice", "1.3"), ("alice", "1.5")]
    # The teacher's points, a decimal comma among them, then merged without grading again.
    (tmp_path / MANUAL_POINTS).write_text("student,notebook,question,points,commentaire\nalice,01.ipynb,1.3,\"1,5\",bien\n"
                                          "alice,01.ipynb,1.5,1,\n", encoding="utf-8")
    write_grades(tmp_path, results)
    assert (read_csv(tmp_path / "grades.csv")[0]["manual_points"], read_csv(tmp_path / "grades.csv")[0]["total"]) == ("2.5", "3.5")
    assert read_csv(tmp_path / "notes-moodle.csv")[0]["TP5 total"] == "3.5"
    assert "parce que" in (tmp_path / "reponses-redigees.html").read_text(encoding="utf-8")


def test_a_manual_point_that_is_not_a_number_stops_before_any_file_changes(tmp_path: pathlib.Path) -> None:
    write_class_files(tmp_path, [alice()])
    before = (tmp_path / "grades.csv").read_bytes()
    (tmp_path / MANUAL_POINTS).write_text("student,notebook,question,points,commentaire\nalice,01.ipynb,1.3,deux,\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"ligne 2 : « deux » n'est pas un nombre de points"):
        write_grades(tmp_path, [alice()])
    assert (tmp_path / "grades.csv").read_bytes() == before
