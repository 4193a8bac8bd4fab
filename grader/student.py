"""Student versions: each answer region becomes a stub naming its question, each model answer an
empty "Votre réponse :" cell, outputs are cleared; text, given code and check cells stay. No line of
an answer may appear anywhere else in the student versions (checked before anything is written)."""
import pathlib
import re

import nbformat

from common.conventions import BEGIN, END, WRITTEN, is_model_written_answer, todo_stub

from .execute import clear_outputs

GUIDE = pathlib.Path(__file__).with_name("GUIDE.md")


class MarkerError(Exception):
    pass


def stub_source(source: str, where: str) -> tuple:
    """The source with each region between the markers replaced by a stub; and the answer lines removed."""
    out, answers = [], []
    question = None
    for number, line in enumerate(source.split("\n"), 1):
        begin = BEGIN.match(line)
        if begin:
            if question:
                raise MarkerError(f"{where}, line {number}: a solution region opens inside another")
            question = begin.group(2)
            out.extend(todo_stub(begin.group(1), question))
        elif line.strip() == END:
            if not question:
                raise MarkerError(f"{where}, line {number}: {END} without a BEGIN SOLUTION line")
            question = None
        elif "SOLUTION" in line and line.strip().startswith("//"):
            raise MarkerError(f"{where}, line {number}: write markers as '// BEGIN SOLUTION <question>' and '{END}'")
        elif question:
            answers.append(line)
        else:
            out.append(line)
    if question:
        raise MarkerError(f"{where}: the solution region of question {question} is never closed by {END}")
    return "\n".join(out), answers


def student_version(notebook: nbformat.NotebookNode, name: str) -> tuple:
    """Returns the student notebook, its number of code regions and written answers, and the answer lines removed."""
    regions = written = 0
    removed = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "BEGIN SOLUTION" in cell.source:
            regions += cell.source.count("BEGIN SOLUTION")
            cell.source, answers = stub_source(cell.source, f"{name}, cellule {index}")
            removed.extend(answers)
        elif is_model_written_answer(cell):
            written += 1
            removed.extend(cell.source.split("\n"))
            cell.source = WRITTEN + " "
    return clear_outputs(notebook), regions, written, removed


def telling(line: str) -> bool:
    """A line that says something of an answer: not blank, not lone punctuation, not a bare keyword."""
    text = line.strip()
    return len(re.sub(r"[^\w]", "", text)) >= 6


def leaks(students: dict, removed: list) -> list:
    """Places where a removed answer line still stands in a student version: 'notebook, cell N: line'."""
    answers = {line.strip() for line in removed if telling(line)}
    found = []
    for name, notebook in students.items():
        for index, cell in enumerate(notebook.cells):
            for line in cell.source.split("\n"):
                if line.strip() in answers:
                    found.append(f"{name}, cellule {index} : {line.strip()}")
    return found
