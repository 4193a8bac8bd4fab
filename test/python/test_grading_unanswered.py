"""A question left undone is said in the student's terms: one line naming the cell that still holds
lab.todo(…), in place of what the judge stumbled on."""
import pathlib

from grader.grading.prepare import number_cells
from grader.grading.records import Point, Verdict
from grader.grading.unanswered import name_unanswered

from grading_fixtures import cell_of, handin


def test_an_answer_still_holding_lab_todo_is_said_so_with_its_cell_number(tmp_path: pathlib.Path) -> None:
    graded = handin(tmp_path)
    number_cells(graded)
    stub = cell_of(graded.notebook, answer="1.5")
    stub.source = '// À compléter (question 1.5)\nlab.todo("1.5");'
    number = graded.notebook.cells.index(stub) + 1
    internal = [Point("wrong", "mseTrials n'a pas été exporté"), Point("wrong", "Cannot read properties of undefined")]
    graded.graded.verdicts = [Verdict("1.5", False, internal), Verdict("1.4", True, [Point("right", "juste")])]
    name_unanswered(graded)
    assert graded.graded.verdicts[0].texts("wrong") == [
        f"pas de réponse : la cellule {number} de la question 1.5 contient encore lab.todo(…), à remplacer par votre code"]
    assert graded.graded.verdicts[1].passed
