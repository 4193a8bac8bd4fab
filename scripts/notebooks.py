"""Executes the lab's notebooks with the tslab kernel and exports them to self-contained HTML.

    python scripts/notebooks.py run [--quick] [--output-dir DIR] [--html DIR] NOTEBOOK...

`run` executes each notebook in a fresh kernel (cells in order, working directory = the
notebook's folder, as in JupyterLab) and writes it back with its outputs (in place, or into
--output-dir). It stops at the first cell that fails, naming the notebook and the cell.
--quick sets TP5_QUICK=1: a few thousand images and one epoch per training.
--html also writes an HTML page per notebook: figures interactive where JavaScript runs
(plotly.js is embedded), static images where it does not, and no external script.
"""
import argparse
import os
import pathlib
import re
import sys
import time

import nbclient
import nbformat
from nbconvert import HTMLExporter

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLOTLY_JS = ROOT / "node_modules" / "plotly.js-dist" / "plotly.js"

# Replaces each figure's static image by the interactive chart once plotly.js has loaded.
RENDER_FIGURES = """
document.querySelectorAll('.tp5-figure[data-plotly]').forEach(function (container) {
  try {
    var figure = JSON.parse(container.getAttribute('data-plotly'));
    var target = document.createElement('div');
    container.appendChild(target);
    Plotly.newPlot(target, figure.data, figure.layout, { responsive: true }).then(function () {
      var image = container.querySelector('img');
      if (image) image.remove();
    });
  } catch (error) {
    console.warn('figure left as a static image:', error);
  }
});
"""


class NotebookFailed(Exception):
    pass


def execute(path: pathlib.Path, timeout: int) -> nbformat.NotebookNode:
    """Runs every cell of the notebook in a fresh tslab kernel; raises NotebookFailed on the first error."""
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=timeout, kernel_name="tslab", allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        raise NotebookFailed(f"{path.name}: {error}") from None
    except nbclient.exceptions.CellTimeoutError as error:
        raise NotebookFailed(f"{path.name}: a cell ran longer than {timeout} s: {error}") from None
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise NotebookFailed(f"{path.name}, cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return notebook


def to_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """A single HTML page: no external script, plotly.js inlined, static figures kept as fallback."""
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    # Drop scripts loaded from the web (require.js, MathJax): the page must read offline.
    body = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", body)
    plotly = PLOTLY_JS.read_text(encoding="utf-8").replace("</script>", "<\\/script>")
    scripts = f"<script>{plotly}</script>\n<script>{RENDER_FIGURES}</script>\n"
    return body.replace("</body>", scripts + "</body>", 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks and write them back with their outputs")
    run.add_argument("notebooks", nargs="+", type=pathlib.Path)
    run.add_argument("--quick", action="store_true", help="TP5_QUICK=1: small data, one epoch")
    run.add_argument("--output-dir", type=pathlib.Path, help="write executed notebooks here instead of in place")
    run.add_argument("--html", type=pathlib.Path, metavar="DIR", help="also export each notebook to DIR/NAME.html")
    run.add_argument("--timeout", type=int, default=1200, help="seconds allowed per cell (default 1200)")
    args = parser.parse_args()

    if args.quick:
        os.environ["TP5_QUICK"] = "1"
    for path in args.notebooks:
        if not path.is_file():
            print(f"no such notebook: {path}", file=sys.stderr)
            return 2
    for path in args.notebooks:
        started = time.time()
        print(f"[notebooks] running {path} ({'quick' if args.quick else 'full'} mode)", flush=True)
        try:
            notebook = execute(path.resolve(), args.timeout)
        except NotebookFailed as error:
            print(f"[notebooks] FAILED {error}", file=sys.stderr)
            return 1
        target = (args.output_dir / path.name) if args.output_dir else path
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written next to the target, then renamed: an interrupted run never leaves half a notebook.
        partial = target.with_name(target.name + ".partial")
        nbformat.write(notebook, partial)
        partial.replace(target)
        print(f"[notebooks] wrote {target} in {time.time() - started:.0f} s", flush=True)
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            page = args.html / (path.stem + ".html")
            page.write_text(to_html(notebook, path.stem), encoding="utf-8")
            print(f"[notebooks] wrote {page}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
