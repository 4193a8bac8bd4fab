"""The hint for the teacher where a training answer names the test images: only when its question
passed (a failed one says why already), never for a name in a comment."""
import pathlib

from grader.grading.hints import note_test_images_named
from grader.grading.records import Verdict

from grading_fixtures import cell_of, handin


def test_a_passed_training_answer_naming_the_test_images_gets_a_hint(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    answer = cell_of(graded.notebook, answer="1.4")
    answer.source = answer.source.replace("{ inputs: prepared.xTrain }", "{ inputs: prepared.xTest }")
    graded.graded.verdicts = [Verdict("1.4", True)]
    note_test_images_named(graded)
    assert [(n.kind, n.text) for n in graded.graded.notes] == [
        ("test-images", "la réponse nomme les images de test : entraînement sur les images de test ? (à vérifier) (question 1.4)")]


def test_no_hint_for_a_failed_question_a_comment_or_the_solution(tmp_path: pathlib.Path) -> None:
    failed = handin(tmp_path)
    answer = cell_of(failed.notebook, answer="1.4")
    answer.source = answer.source.replace("{ inputs: prepared.xTrain }", "{ inputs: prepared.xTest }")
    failed.graded.verdicts = [Verdict("1.4", False)]
    commented = handin(tmp_path)
    cell_of(commented.notebook, answer="1.4").source += "\n// pas sur prepared.xTest !"
    commented.graded.verdicts = [Verdict("1.4", True)]
    solution = handin(tmp_path)
    solution.graded.verdicts = [Verdict(q, True) for q in ["1.4"]]
    for graded in (failed, commented, solution):
        note_test_images_named(graded)
        assert graded.graded.notes == []
