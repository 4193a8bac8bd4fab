"""A question left undone, said in the student's terms: its answer still holds the kit's lab.todo(…), so
its verdict is that one line, not what the judge stumbled on for want of the answer's values."""
from common.conventions import holds_todo, tp5

from .handin import HandIn
from .prepare import handin_number
from .records import Point

def name_unanswered(handin: HandIn) -> None:
    for verdict in handin.graded.verdicts:
        undone = [cell for cell in handin.notebook.cells if tp5(cell).get("answer") == verdict.question and holds_todo(cell)]
        if not undone:
            continue
        numbers = [n for n in (handin_number(cell) for cell in undone) if n is not None]
        where = (f"la cellule {numbers[0]}" if len(numbers) == 1 else f"les cellules {', '.join(map(str, numbers))}") if numbers else "sa cellule"
        verdict.passed = False
        verdict.points = [Point("wrong", f"pas de réponse : {where} de la question {verdict.question} "
                                          f"{'contient' if len(numbers) <= 1 else 'contiennent'} encore lab.todo(…), "
                                          "à remplacer par votre code")]
