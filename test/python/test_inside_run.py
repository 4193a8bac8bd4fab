"""The runner in a hand-in's sandbox (a real tslab kernel, no sandbox): it keeps its own deadline (past it no
cell starts, and it returns what the cells before did); it sends each export cell's files as soon as the
cell has run, so that a later cell cannot change them; it ends a kernel that no longer answers, and
runs the notebook again without the cell that froze it."""
import json
import pathlib
import time

import nbformat
import pytest

from grader import execute
from grader.inside import FROZEN_NOTE, run


class Recorded:
    """The results pipe, as a list of what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def add(self, name: str, data: bytes) -> None:
        self.sent.append((name, data))

    def last(self, name: str) -> bytes:
        return [data for sent, data in self.sent if sent == name][-1]


def notebook_of(*cells: str | tuple[str, str]) -> nbformat.NotebookNode:
    """Code cells; a (source, name) pair is an export cell of the value `name`, as the grader adds them."""
    made = [nbformat.v4.new_code_cell(cell[0], metadata={"tp5": {"export": cell[1]}}) if isinstance(cell, tuple)
            else nbformat.v4.new_code_cell(cell) for cell in cells]
    return nbformat.v4.new_notebook(cells=made)


def export(folder: pathlib.Path, name: str, value: int) -> tuple[str, str]:
    source = (f'require("fs").mkdirSync({json.dumps(str(folder))}, {{ recursive: true }});\n'
              f'require("fs").writeFileSync({json.dumps(str(folder / (name + ".json")))}, JSON.stringify({{ kind: "json", value: {value} }}));')
    return source, name


def test_no_cell_starts_after_the_deadline_and_the_cells_before_are_kept(tmp_path: pathlib.Path) -> None:
    notebook = notebook_of('const a = 1;\nconsole.log("a", a);',
                           'await new Promise((done) => setTimeout(done, 15000));\nconsole.log("fin de l\'attente");',
                           'console.log("jamais");')
    # The kernel starts and the first two cells start within 10 s; the third one would start after 15 s.
    executed, run_info = run(notebook, tmp_path, cell_timeout=60, run_seconds=10, results=Recorded())
    assert run_info["stopped"] == {"cell": 2, "reason": "délai"}
    assert run_info["errors"] == []
    texts = ["".join(o.get("text", "") for o in cell.outputs) for cell in executed.cells]
    assert texts == ["a 1\n", "fin de l'attente\n", ""]


def test_what_an_export_cell_wrote_is_sent_at_once_and_a_later_cell_cannot_change_it(tmp_path: pathlib.Path) -> None:
    answers = tmp_path / "answers"
    rewrite = f'require("fs").writeFileSync({json.dumps(str(answers / "loss.json"))}, "falsifié");'
    results = Recorded()
    run(notebook_of(export(answers, "loss", 42), rewrite), tmp_path, cell_timeout=60, run_seconds=60, results=results)
    assert json.loads(results.last("answers/loss.json")) == {"kind": "json", "value": 42}
    assert (answers / "loss.json").read_text() == "falsifié"


def test_a_kernel_that_stops_itself_is_ended_within_its_cell_limit_and_the_rest_runs(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The wait for an answer shortened (the grader waits 15 s): the same steps, in less time.
    monkeypatch.setattr(execute, "ANSWER_SECONDS", 3)
    answers = tmp_path / "answers"
    notebook = notebook_of(export(answers, "avant", 1), 'process.kill(process.pid, "SIGSTOP");', export(answers, "apres", 2))
    results = Recorded()
    started = time.monotonic()
    executed, run_info = run(notebook, tmp_path, cell_timeout=5, run_seconds=300, results=results)
    elapsed = time.monotonic() - started
    # The cell's limit, then ANSWER_SECONDS for a message, then the run again without that cell.
    assert elapsed < 40, elapsed
    assert run_info["errors"] == [{"cell": 1, "message": FROZEN_NOTE}]
    assert run_info["stopped"] is None
    assert json.loads(results.last("answers/avant.json"))["value"] == 1
    assert json.loads(results.last("answers/apres.json"))["value"] == 2
    assert "retirée par le correcteur" in executed.cells[1].source
