"""The judge's step, without a sandbox (sandbox.run replaced by what a judge sends back): its verdicts
read as typed records, its notes moved to the hand-in's notes, a question it did not answer failed, and
a judge that fails or answers nonsense noted."""
import json
import pathlib

import pytest

import sandbox
from grader.grading.judge import judge_answers
from grader.grading.records import Point

from grading_fixtures import handin


def judged_by(monkeypatch: pytest.MonkeyPatch, outcome: sandbox.Outcome) -> None:
    monkeypatch.setattr(sandbox, "run", lambda spec: outcome)


def test_verdicts_come_in_the_tp_order_with_the_notes_taken_out(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    verdicts = [
        {"question": "1.4", "passed": True, "points": [{"kind": "right", "text": "Dense n°1 : 3 époques"},
                                                       {"kind": "note", "text": "Dense n°1 : MSE de test 0,0100 … (à vérifier)"}]},
        {"question": "0", "passed": False, "points": [{"kind": "wrong", "text": "xTest n'a pas été exporté"}]},
    ]
    judged_by(monkeypatch, sandbox.Outcome("", json.dumps(verdicts).encode(), False))
    graded = handin(tmp_path)
    judge_answers(graded)
    result = graded.graded
    assert [v.question for v in result.verdicts] == ["0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    assert result.verdict("0").points == [Point("wrong", "xTest n'a pas été exporté")]  # type: ignore[union-attr]
    assert result.verdict("1.4").points == [Point("right", "Dense n°1 : 3 époques")]  # type: ignore[union-attr]
    assert result.verdict("1.1").texts("wrong") == ["non jugée"]  # type: ignore[union-attr]
    assert [(n.kind, n.text) for n in result.notes] == [("judge", "Dense n°1 : MSE de test 0,0100 … (à vérifier) (question 1.4)")]
    assert result.points == 1


def test_a_judge_that_fails_or_answers_nonsense_fails_every_question_with_a_note(tmp_path: pathlib.Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for outcome, note in [
        (sandbox.Outcome("s'est terminé avec le code 1", b"", False), "correction automatique impossible : s'est terminé avec le code 1"),
        (sandbox.Outcome("", b'[{"question": "0"}]', False), "correction automatique impossible : réponse du juge illisible"),
        (sandbox.Outcome("", b"\xff", False), "correction automatique impossible : réponse du juge illisible"),
    ]:
        judged_by(monkeypatch, outcome)
        graded = handin(tmp_path)
        judge_answers(graded)
        assert graded.graded.points == 0
        assert len(graded.graded.notes) == 1 and graded.graded.notes[0].text.startswith(note)
