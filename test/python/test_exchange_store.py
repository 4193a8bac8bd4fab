"""The exchange's files: every hand-in kept and timestamped, late ones flagged, each person's apart,
names that could leave a person's folder refused, a hand-in that is not a notebook refused."""
from datetime import datetime, timedelta

import nbformat
import pytest

from hub.exchange import store
from hub.exchange.dates import parse_deadline
from hub.exchange.store import Exchange, Refused
from hub.layout import ClassFolder

NOTEBOOK = "01-auto-encodeurs-denses.ipynb"


def notebook_bytes(text="print(1)"):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    return nbformat.writes(notebook).encode()


@pytest.fixture
def exchange(tmp_path):
    folder = ClassFolder(tmp_path / "classe")
    folder.exchange.mkdir(parents=True)
    exchange = Exchange(folder)
    exchange.release({NOTEBOOK: notebook_bytes("lab.todo(\"1.1\")"), "LISEZ-MOI.md": b"# guide"})
    return exchange


def test_each_hand_in_is_kept_with_its_own_receipt(exchange):
    first = exchange.hand_in("alice", NOTEBOOK, notebook_bytes("v1"))
    second = exchange.hand_in("alice", NOTEBOOK, notebook_bytes("v2"))
    assert (first.number, second.number) == (1, 2)
    assert second.when >= first.when
    kept = exchange.stored("alice")
    assert [r.number for r, _ in kept] == [1, 2]
    assert [nbformat.read(path, as_version=4).cells[0].source for _, path in kept] == ["v1", "v2"]
    assert "rendu n° 2 ; les rendus précédents sont conservés" in second.sentence()


def test_people_never_see_each_others_hand_ins_or_feedback(exchange):
    exchange.hand_in("alice", NOTEBOOK, notebook_bytes())
    exchange.return_feedback("alice", "01-auto-encodeurs-denses.html", b"<p>alice</p>")
    assert exchange.receipts("bob") == []
    assert exchange.feedback_files("bob") == []
    with pytest.raises(Refused):
        exchange.feedback_file("bob", "01-auto-encodeurs-denses.html")


@pytest.mark.parametrize("name", ["../alice/x.html", "..", "/etc/passwd", ".hidden.html", "a/b.html", "x.py"])
def test_names_that_could_leave_a_folder_are_refused(exchange, name):
    with pytest.raises(Refused):
        exchange.feedback_file("alice", name)
    with pytest.raises(Refused):
        exchange.kit_file(name)


def test_a_late_hand_in_is_flagged_and_on_time_collection_keeps_the_last_one_in_time(exchange, monkeypatch):
    deadline = parse_deadline("2026-12-18 23:59")
    exchange.set_deadline(deadline)
    monkeypatch.setattr(store, "now", lambda: deadline - timedelta(hours=1))
    in_time = exchange.hand_in("alice", NOTEBOOK, notebook_bytes("à l'heure"))
    monkeypatch.setattr(store, "now", lambda: deadline + timedelta(minutes=5))
    late = exchange.hand_in("alice", NOTEBOOK, notebook_bytes("en retard"))
    assert not in_time.late and late.late
    assert "En retard : la date limite était le vendredi 18 décembre 2026 à 23 h 59" in late.sentence()
    assert exchange.chosen("alice", on_time=False)[NOTEBOOK][0] == late
    receipt, path, count = exchange.chosen("alice", on_time=True)[NOTEBOOK]
    assert receipt == in_time and count == 2
    assert "à l'heure" in path.read_text()


def test_only_a_late_hand_in_is_still_collected_on_time(exchange, monkeypatch):
    exchange.set_deadline(datetime(2026, 1, 1).astimezone())
    late = exchange.hand_in("alice", NOTEBOOK, notebook_bytes())
    assert exchange.chosen("alice", on_time=True)[NOTEBOOK][0] == late


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe", "pas du texte UTF-8"),
    (b"{not json", "pas un carnet Jupyter valide"),
    (b'{"cells": "no"}', "pas un carnet Jupyter valide"),
])
def test_what_is_not_a_notebook_is_refused_and_nothing_kept(exchange, content, message):
    with pytest.raises(Refused, match=message):
        exchange.hand_in("alice", NOTEBOOK, content)
    assert exchange.receipts("alice") == []


def test_a_notebook_of_another_name_or_too_large_is_refused(exchange, monkeypatch):
    with pytest.raises(Refused, match="n'est pas un carnet du TP .carnets attendus : 01-auto-encodeurs-denses.ipynb"):
        exchange.hand_in("alice", "mon-carnet.ipynb", notebook_bytes())
    monkeypatch.setattr(store, "MAX_NOTEBOOK_BYTES", 10)
    with pytest.raises(Refused, match="plus que les"):
        exchange.hand_in("alice", NOTEBOOK, notebook_bytes())


def test_a_full_hand_in_space_is_refused(exchange, monkeypatch):
    exchange.hand_in("alice", NOTEBOOK, notebook_bytes())
    monkeypatch.setattr(store, "MAX_BYTES_PER_PERSON", len(notebook_bytes()) + 1)
    with pytest.raises(Refused, match="espace de rendus est plein"):
        exchange.hand_in("alice", NOTEBOOK, notebook_bytes())
    assert len(exchange.receipts("alice")) == 1


def test_a_new_release_replaces_the_kit_at_once(exchange):
    exchange.release({"02-auto-encodeur-convolutif.ipynb": notebook_bytes()})
    assert [f.name for f in exchange.kit_files()] == ["02-auto-encodeur-convolutif.ipynb"]
    with pytest.raises(Refused, match="noms de fichier refusés"):
        exchange.release({"../evil.ipynb": b""})
    assert [f.name for f in exchange.kit_files()] == ["02-auto-encodeur-convolutif.ipynb"]


@pytest.mark.parametrize("text, expected", [
    ("18/12/2026 23:59", (2026, 12, 18, 23, 59)),
    ("18/12/2026", (2026, 12, 18, 23, 59)),
    ("2026-12-18", (2026, 12, 18, 23, 59)),
    ("2026-12-18 08:30", (2026, 12, 18, 8, 30)),
])
def test_deadlines_as_teachers_write_them(text, expected):
    when = parse_deadline(text)
    assert (when.year, when.month, when.day, when.hour, when.minute) == expected
    assert when.tzinfo is not None


def test_an_unreadable_deadline_says_which_forms_are_understood():
    with pytest.raises(ValueError, match="18/12/2026 23:59"):
        parse_deadline("vendredi prochain")
