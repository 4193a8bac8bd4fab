"""Runs untouched student notebooks cell by cell with errors allowed, as a student pressing Shift+Enter
through them does, and prints as JSON every failing cell's error text (what the student reads)."""
import json
import pathlib
import sys

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
from grader.execute import execute  # noqa: E402

report = {}
for path in map(pathlib.Path, sys.argv[1:]):
    notebook = nbformat.read(path, as_version=4)
    execution = execute(notebook, path.parent, timeout=300, allow_errors=True, quick=True)
    texts = []
    for index, cell in enumerate(execution.notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                texts.append({"cell": index, "text": f"{output.get('ename')}: {output.get('evalue')}"})
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                texts.append({"cell": index, "text": output.get("text", "")})
    report[path.name] = texts
print(json.dumps(report, ensure_ascii=False))
