"""Student versions: solution regions become stubs, outputs are cleared, text and questions stay."""
import re

import nbformat

from .execute import clear_outputs

BEGIN = "// BEGIN SOLUTION"
END = "// END SOLUTION"
STUB = "// À compléter"


class MarkerError(Exception):
    pass


def stub_source(source: str, where: str) -> str:
    """Replaces each region between the markers (markers included) by one stub line, indented alike."""
    lines = source.split("\n")
    out = []
    inside = False
    for number, line in enumerate(lines, 1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise MarkerError(f"{where}, line {number}: {BEGIN} inside another solution region")
            inside = True
            out.append(re.match(r"\s*", line).group(0) + STUB)
        elif marker == END:
            if not inside:
                raise MarkerError(f"{where}, line {number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: {BEGIN} is never closed by {END}")
    return "\n".join(out)


def student_version(notebook: nbformat.NotebookNode, name: str) -> tuple:
    """Returns the student notebook and its number of stubs."""
    stubs = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and BEGIN in cell.source:
            stubs += cell.source.count(BEGIN)
            cell.source = stub_source(cell.source, f"{name}, cell {index}")
    return clear_outputs(notebook), stubs
