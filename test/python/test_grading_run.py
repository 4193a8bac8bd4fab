"""The run's step, without a sandbox (sandbox.run replaced by what a run sends back): its results
unpacked (regular files only), and a note for each cell that failed, ran too long or printed too much,
and for where the run stopped."""
import io
import json
import pathlib
import tarfile

import nbformat
import pytest

import sandbox
from grader.grading.handin import HandIn
from grader.grading.prepare import add_export_cells, number_cells
from grader.grading.run import note_cell_problems, run_in_sandbox

from grading_fixtures import handin


def archive(files: dict[str, bytes], link: str = "") -> bytes:
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return data.getvalue()


def ran(monkeypatch: pytest.MonkeyPatch, outcome: sandbox.Outcome) -> list[sandbox.Run]:
    """sandbox.run replaced by `outcome`; returns the runs asked for."""
    asked: list[sandbox.Run] = []

    def fake_run(spec: sandbox.Run) -> sandbox.Outcome:
        asked.append(spec)
        return outcome

    monkeypatch.setattr(sandbox, "run", fake_run)
    return asked


def test_the_results_are_unpacked_without_the_links_a_hand_in_made(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graded = handin(tmp_path)
    asked = ran(monkeypatch, sandbox.Outcome("", archive({"run.json": b"{}", "answers/dense1.json": b"{}"}, link="answers/lien"), False))
    run_in_sandbox(graded)
    results = graded.places.results
    assert (results / "answers" / "dense1.json").read_text() == "{}"
    assert not (results / "answers" / "lien").exists()
    assert graded.graded.notes == []
    # The runner is told the cell limit and its own deadline, shorter than the grader's limit.
    command = asked[0].command
    assert command[command.index("--run-seconds") + 1] == "750"
    assert asked[0].timeout == 900


def test_a_run_past_its_limit_and_results_too_large_are_noted(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graded = handin(tmp_path)
    ran(monkeypatch, sandbox.Outcome("délai de 900 s dépassé : arrêté", b"", True))
    run_in_sandbox(graded)
    assert [n.text for n in graded.graded.notes] == [
        "exécution du carnet : délai de 900 s dépassé : arrêté",
        "résultats de l'exécution trop volumineux : ignorés",
    ]


def test_a_run_cut_by_the_graders_limit_keeps_what_it_sent_before(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graded = handin(tmp_path)
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w|") as tar:
        for name, content in (("answers/xTrain.json", b'{"kind": "json", "value": 1}'), ("answers/dense1.json", b"{}" * 600)):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    # The runner was ended while it sent its second file: the stream stops in the middle of it.
    cut = stream.getvalue()[:512 + 512 + 512 + 300]
    ran(monkeypatch, sandbox.Outcome("délai de 900 s dépassé : arrêté", cut, False))
    run_in_sandbox(graded)
    answers = graded.places.results / "answers"
    assert (answers / "xTrain.json").read_bytes() == b'{"kind": "json", "value": 1}'
    assert not (answers / "dense1.json").exists()
    assert [n.text for n in graded.graded.notes] == ["exécution du carnet : délai de 900 s dépassé : arrêté"]


def results(graded: HandIn, run: dict[str, object]) -> None:
    """The results folder as a run leaves it: the executed notebook and run.json."""
    folder = graded.places.results
    folder.mkdir(parents=True)
    nbformat.write(graded.notebook, folder / "executed.ipynb")
    (folder / "run.json").write_text(json.dumps(run))


def index_of(graded: HandIn, **tp5: str) -> int:
    return next(i for i, c in enumerate(graded.notebook.cells) if all(c.metadata.get("tp5", {}).get(k) == v for k, v in tp5.items()))


def test_each_failed_slow_or_verbose_cell_gets_a_note_naming_its_question_and_its_number_in_the_hand_in(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    number_cells(graded)
    numbers = {key: index_of(graded, **tp5) + 1 for key, tp5 in (("1.2", {"answer": "1.2"}), ("1.4", {"check": "1.4"}), ("1.6", {"answer": "1.6"}))}
    add_export_cells(graded)
    answer, check, export = index_of(graded, answer="1.2"), index_of(graded, check="1.4"), index_of(graded, export="dense1")
    last = index_of(graded, answer="1.6")
    assert answer + 1 != numbers["1.2"] or check + 1 != numbers["1.4"]  # the export cells added shift the run's indices
    results(graded, {
        "errors": [{"cell": answer, "message": "TypeError: dense1Table\n  at <anonymous>"}, {"cell": check, "message": "stopped"},
                   {"cell": export, "message": "ReferenceError"}],
        "timeouts": [check],
        "cut": [{"cell": last, "message": "sortie trop longue : 1 000 caractères coupés"}],
    })
    note_cell_problems(graded)
    assert [n.text for n in graded.graded.notes] == [
        f"cellule {numbers['1.2']} (question 1.2) : TypeError: dense1Table at <anonymous>",
        f"cellule {numbers['1.4']} (question 1.4) : arrêtée au bout de 120 s",
        f"cellule {numbers['1.6']} (question 1.6) : sortie trop longue : 1 000 caractères coupés",
    ]
    assert {n.kind for n in graded.graded.notes} == {"cell"}


def test_an_answer_still_to_write_and_a_check_to_revise_are_left_to_their_verdict(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    number_cells(graded)
    answer, check = index_of(graded, answer="1.2"), index_of(graded, check="1.2")
    results(graded, {"errors": [{"cell": answer, "message": "Question 1.2 à compléter : les tableaux. Remplacez la ligne lab.todo(…)"},
                                {"cell": check, "message": "Question 1.2 à revoir : 3 points ci-dessus."}], "timeouts": []})
    note_cell_problems(graded)
    assert graded.graded.notes == []


def test_a_run_stopped_by_its_deadline_says_before_which_cell(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    number_cells(graded)
    stopped = index_of(graded, answer="1.5")
    results(graded, {"errors": [], "timeouts": [], "stopped": {"cell": stopped, "reason": "délai"}})
    note_cell_problems(graded)
    [note] = graded.graded.notes
    assert (note.kind, note.question, note.cell) == ("run", "1.5", stopped + 1)
    assert note.message == "le carnet a atteint son délai (750 s) : arrêté avant cette cellule ; les questions suivantes ne sont pas jugées"


def test_a_run_that_sent_nothing_leaves_no_cell_note(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    note_cell_problems(graded)
    assert graded.graded.notes == []
