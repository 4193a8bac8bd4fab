"""The steps before a hand-in runs: written answers read, given cells put back, the parts beyond the TP
left out, export cells after each check cell, the notebook written for its run."""
import pathlib

import nbformat

from grader.grading.prepare import add_export_cells, leave_out_beyond, put_back_given_cells, read_written_answers, write_inputs
from grader.lab_notebook import QUESTIONS, tp5

from grading_fixtures import cell_of, handin, solution


def test_written_answers_are_read_after_their_prompt(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    cell_of(graded.notebook, written="1.5").source = "**Votre réponse :**   "
    read_written_answers(graded)
    assert graded.graded.written["1.5"] == ""
    assert graded.graded.written["1.3"].startswith("Dense n°1 a le même nombre de paramètres")


def test_a_changed_and_a_deleted_given_cell_are_put_back_with_a_note_each(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    check = cell_of(graded.notebook, check="1.3")
    original = check.source
    check.source = "// vérification désactivée"
    graded.notebook.cells.remove(cell_of(graded.notebook, check="1.2"))
    put_back_given_cells(graded)
    assert cell_of(graded.notebook, check="1.3").source == original
    assert cell_of(graded.notebook, check="1.2") is not None
    assert sorted((n.kind, n.message) for n in graded.graded.notes) == [
        ("given-cell", "cellule de vérification de la question 1.2 supprimée : remise"),
        ("given-cell", "cellule de vérification de la question 1.3 modifiée : remise d'origine"),
    ]


def test_a_notebook_saved_without_cell_ids_or_with_new_ones_keeps_its_given_cells_without_a_remark(tmp_path: pathlib.Path) -> None:
    # nbformat 4.4 (older JupyterLab, Colab, other tools): no cell ids; some tools give new ones.
    for renamed in (lambda cell: cell.pop("id", None), lambda cell: cell.update(id=f"autre-{id(cell)}")):
        notebook = solution()
        for cell in notebook.cells:
            renamed(cell)
        graded = handin(tmp_path, notebook)
        count = len(graded.notebook.cells)
        put_back_given_cells(graded)
        assert graded.graded.notes == []
        assert len(graded.notebook.cells) == count


def test_without_ids_an_edited_check_cell_is_still_found_by_its_metadata(tmp_path: pathlib.Path) -> None:
    notebook = solution()
    for cell in notebook.cells:
        cell.pop("id", None)
    check = cell_of(notebook, check="1.3")
    original = check.source
    check.source = "// vérification désactivée"
    graded = handin(tmp_path, notebook)
    put_back_given_cells(graded)
    assert cell_of(graded.notebook, check="1.3").source == original
    assert [n.message for n in graded.graded.notes] == ["cellule de vérification de la question 1.3 modifiée : remise d'origine"]


def test_the_parts_beyond_the_tp_are_left_out(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    assert any(tp5(c).get("beyond") for c in graded.notebook.cells)
    leave_out_beyond(graded)
    assert not any(tp5(c).get("beyond") for c in graded.notebook.cells)


def test_each_check_cell_is_followed_by_the_exports_of_its_question(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    add_export_cells(graded)
    cells = graded.notebook.cells
    for index, cell in enumerate(cells):
        question = tp5(cell).get("check")
        if question and not tp5(cells[index + 1]).get("export"):
            continue  # the first of two check cells (1.5): its exports follow the second one too
        if question:
            names = QUESTIONS[question]["graded"]
            following = cells[index + 1:index + 1 + len(names)]
            assert [tp5(c)["export"] for c in following] == names
            assert all(tp5(c)["question"] == question for c in following)
    grids = next(c for c in cells if tp5(c).get("export") == "grids")
    assert grids.source == f'lab.exportAnswer("{graded.places.scratch_seen / "answers"}", "grids", lab.shownImageGrids());'
    # Every graded value of the part is exported.
    exported = {tp5(c)["export"] for c in cells if tp5(c).get("export")}
    assert exported == {name for q, spec in QUESTIONS.items() if spec["part"] == 1 for name in spec["graded"]}


def test_the_notebook_is_written_without_outputs_in_a_fresh_inputs_folder(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    leftover = graded.places.work / "resultats" / "answers" / "dense1.json"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("{}")
    write_inputs(graded)
    written = nbformat.read(graded.places.inputs / "handin.ipynb", as_version=4)
    assert not leftover.exists()
    assert all(not c.get("outputs") for c in written.cells if c.cell_type == "code")
    assert len(written.cells) == len(graded.notebook.cells)
