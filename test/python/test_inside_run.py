"""The runner in a hand-in's sandbox keeps its own deadline: past it no cell starts, and it returns what
the cells before did (a real tslab kernel, no sandbox)."""
import pathlib

import nbformat

from scripts.tp5nb.inside import run


def test_no_cell_starts_after_the_deadline_and_the_cells_before_are_kept(tmp_path: pathlib.Path) -> None:
    cells = ['const a = 1;\nconsole.log("a", a);',
             'await new Promise((done) => setTimeout(done, 15000));\nconsole.log("fin de l\'attente");',
             'console.log("jamais");']
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    # The kernel starts and the first two cells start within 10 s; the third one would start after 15 s.
    executed, run_info = run(notebook, tmp_path, cell_timeout=60, run_seconds=10)
    assert run_info["stopped"] == {"cell": 2, "reason": "délai"}
    assert run_info["errors"] == []
    texts = ["".join(o.get("text", "") for o in cell.outputs) for cell in executed.cells]
    assert texts == ["a 1\n", "fin de l'attente\n", ""]
