"""A hand-in's result kept beside its work: reused for the same content and grader, graded again when the
hand-in changed or the saved result is damaged; written whole or not at all."""
import pathlib

from grader.grading.cache import content_key, previous_result, read_result, save_result
from grader.grading.records import Graded, Note, Point, Verdict


def test_a_result_is_reused_only_for_the_same_content(tmp_path: pathlib.Path) -> None:
    notebook = tmp_path / "01.ipynb"
    notebook.write_text("{}")
    work = tmp_path / "travail"
    graded = Graded("alice", "01.ipynb", 1, [Verdict("0", False, [Point("wrong", "xTest n'a pas été exporté")])],
                    {"1.3": "texte"}, [Note("cell", "erreur", "0", 7)], key=content_key(notebook))
    save_result(graded, work)
    assert previous_result(notebook, work) == graded
    assert read_result(work).notes[0].text == "cellule 7 (question 0) : erreur"
    assert not list(work.glob("*.partial"))
    notebook.write_text('{"changé": 1}')
    assert previous_result(notebook, work) is None


def test_a_damaged_saved_result_is_graded_again(tmp_path: pathlib.Path) -> None:
    notebook = tmp_path / "01.ipynb"
    notebook.write_text("{}")
    for damaged in ('{"student": "alice"', '{"student": "alice", "notes": ["une remarque en texte"]}'):
        (tmp_path / "graded.json").write_text(damaged)
        assert previous_result(notebook, tmp_path) is None
