"""Self-contained HTML (and PDF) pages of executed notebooks."""
import base64
import html
import json
import re

import nbformat
from nbconvert import HTMLExporter

from common.paths import ROOT

PLOTLY_JS = ROOT / "node_modules" / "plotly.js-dist" / "plotly.js"

# On screen, each figure's static image gives way to the interactive chart once plotly.js has loaded;
# in print, the static image stays (see PRINT_STYLE).
RENDER_FIGURES = """
document.querySelectorAll('.tp5-figure[data-plotly]').forEach(function (container) {
  try {
    var figure = JSON.parse(container.getAttribute('data-plotly'));
    var target = document.createElement('div');
    target.className = 'tp5-interactive';
    container.appendChild(target);
    Plotly.newPlot(target, figure.data, figure.layout, figure.config || { responsive: true }).then(function () {
      container.classList.add('tp5-drawn');
    });
  } catch (error) {
    console.warn('figure left as a static image:', error);
  }
});
"""


SAFE_OUTPUTS = ("text/plain", "image/png", "image/jpeg")


def defanged(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of a hand-in that can run nothing when shown: its Markdown's raw HTML is shown as text,
    its outputs keep their text and bitmaps only, and an SVG drawing becomes an image (an <img> runs no
    script)."""
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in copy.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("<", "&lt;")
            cell.pop("attachments", None)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data is None:
                continue
            kept = {mime: value for mime, value in data.items() if mime in SAFE_OUTPUTS}
            svg = data.get("image/svg+xml")
            if isinstance(svg, str) and "image/png" not in kept:
                encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
                kept["text/html"] = f'<img src="data:image/svg+xml;base64,{encoded}" alt="figure"/>'
            output["data"] = kept
    return copy


# Printed (PDF): A4 pages; every figure whole, as its static drawing scaled to the page (no toolbar,
# no scroll bar) and at most 90 mm high, so that a figure that does not fit at the bottom of a page
# leaves little blank; text outputs (a training's log) flow across pages instead of jumping whole to
# the next one as JupyterLab's print style has every output do; long lines wrapped instead of cut.
PRINT_STYLE = """<style>
.tp5-figure.tp5-drawn > img { display: none; }
@page { size: A4; margin: 12mm; }
@media print {
  .tp5-figure .tp5-interactive, .modebar-container { display: none !important; }
  .tp5-figure.tp5-drawn > img { display: block !important; }
  img { max-width: 100% !important; max-height: 90mm !important; width: auto !important; height: auto !important; }
  .jp-OutputArea-child { break-inside: auto !important; }
  .jp-OutputArea-child:has(img) { break-inside: avoid-page !important; }
  pre, code { white-space: pre-wrap !important; word-break: break-word; }
  .jp-OutputArea-output, .jp-Cell, .jp-InputArea-editor { overflow: visible !important; }
}
</style>
"""


def to_html(notebook: nbformat.NotebookNode, title: str, author: str = "", untrusted: bool = False) -> str:
    """One HTML page: no external script, plotly.js inlined, static figures kept as a fallback.

    untrusted: a hand-in shown to a teacher: shown defanged (see `defanged`), with no script at all."""
    # No "In [19]:" prompts: the page reads as the notebook's text, in French.
    exporter = HTMLExporter(template_name="lab", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(defanged(notebook) if untrusted else notebook, resources={"metadata": {"name": title}})
    # Drop scripts loaded from the web (require.js, MathJax): the page must read offline.
    body = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", body)
    if author:
        banner = (f'<div style="padding:12px 24px;border-bottom:2px solid #444;font-family:sans-serif">'
                  f'<b>{html.escape(title)}</b> — rendu de <b>{html.escape(author)}</b></div>')
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, body, count=1)
    body = body.replace("</head>", PRINT_STYLE + "</head>", 1)
    if untrusted:
        return body
    plotly = PLOTLY_JS.read_text(encoding="utf-8").replace("</script>", "<\\/script>")
    scripts = f"<script>{plotly}</script>\n<script>{RENDER_FIGURES}</script>\n"
    return body.replace("</body>", scripts + "</body>", 1)
