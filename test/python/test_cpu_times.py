"""npm run tp's processor time per TP question: the kernel's time read from /proc, and the cells' times
summed by question, apart from the given cells and the parts beyond the TP."""
import os
import types

import nbformat

from grader.cpu_times import cpu_by_question, cpu_report
from grader.execute import kernel_cpu_seconds


def test_the_kernels_time_is_read_from_proc() -> None:
    spent = sum(range(3_000_000))  # some processor time of this process, standing in for the kernel
    client = types.SimpleNamespace(km=types.SimpleNamespace(provisioner=types.SimpleNamespace(process=types.SimpleNamespace(pid=os.getpid()))))
    seconds = kernel_cpu_seconds(client)
    times = os.times()
    assert spent and seconds is not None
    assert abs(seconds - (times.user + times.system + times.children_user + times.children_system)) < 0.05
    assert kernel_cpu_seconds(types.SimpleNamespace(km=None)) is None


def cell(**tp5: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell("", metadata={"tp5": tp5} if tp5 else {})


def test_cells_are_summed_by_question_apart_from_given_and_beyond_cells() -> None:
    notebook = nbformat.v4.new_notebook(cells=[cell(), cell(answer="1.4"), cell(check="1.4"), cell(answer="1.10"),
                                               cell(answer="0"), cell(beyond=True)])
    questions, given, beyond = cpu_by_question(notebook, {0: 1.0, 1: 17.5, 2: 0.25, 3: 2.0, 4: 0.5, 5: 40.0})
    assert list(questions.items()) == [("0", 0.5), ("1.4", 17.75), ("1.10", 2.0)]
    assert (given, beyond) == (1.0, 40.0)
    report = cpu_report("01.ipynb", notebook, {0: 1.0, 1: 17.5, 2: 0.25, 3: 2.0, 4: 0.5, 5: 40.0}, 30)
    assert "  question 1.4    17,8 s" in report
    assert report.endswith("questions du TP : 20,2 s ; cellules données : 1,0 s ; au-delà du TP : 40,0 s ; total : 61,2 s pour 30 s d'exécution")
    assert cpu_report("01.ipynb", notebook, {}, 30) == "[carnets] 01.ipynb : temps de calcul du noyau inconnu (pas de /proc ici)"
