"""What a student waits for: the processor time a notebook's run took, question by question (its answer
and check cells), apart from the given cells and the parts beyond the TP. Printed by `npm run tp`, so
that a class server's capacity (students per core) rests on measured figures."""
import nbformat

from common.conventions import tp5

from .lab_notebook import question_key


def cpu_by_question(notebook: nbformat.NotebookNode, cpu_seconds: dict[int, float]) -> tuple[dict[str, float], float, float]:
    """(question → seconds, seconds of the given cells, seconds of the parts beyond the TP)."""
    questions: dict[str, float] = {}
    given, beyond = 0.0, 0.0
    for index, seconds in cpu_seconds.items():
        cell = notebook.cells[index]
        question = tp5(cell).get("answer") or tp5(cell).get("check")
        if tp5(cell).get("beyond"):
            beyond += seconds
        elif question:
            questions[question] = questions.get(question, 0.0) + seconds
        else:
            given += seconds
    return dict(sorted(questions.items(), key=lambda item: question_key(item[0]))), given, beyond


def cpu_report(name: str, notebook: nbformat.NotebookNode, cpu_seconds: dict[int, float], wall_seconds: float) -> str:
    """The lines `npm run tp` prints for one notebook."""
    if not cpu_seconds:
        return f"[carnets] {name} : temps de calcul du noyau inconnu (pas de /proc ici)"
    questions, given, beyond = cpu_by_question(notebook, cpu_seconds)
    tp = sum(questions.values())
    lines = [f"[carnets] {name} : temps de calcul du noyau (processeur, tous ses fils d'exécution) :"]
    lines += [f"  question {question:<4} {seconds_text(seconds):>8}" for question, seconds in questions.items()]
    lines.append(f"  questions du TP : {seconds_text(tp)} ; cellules données : {seconds_text(given)} ; "
                 f"au-delà du TP : {seconds_text(beyond)} ; total : {seconds_text(tp + given + beyond)} "
                 f"pour {wall_seconds:.0f} s d'exécution")
    return "\n".join(lines)


def seconds_text(seconds: float) -> str:
    """« 12,3 s »."""
    return f"{seconds:.1f} s".replace(".", ",")
