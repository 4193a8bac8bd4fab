"""The conventions of the project's notebooks, decided here once and read by the kit maker
(grader/student.py), the checker (grader/check.py), the grader (grader/grading/) and the student's
session (session/server.py).

- Each cell's `tp5` metadata says what it is: `answer` (the student's code for a question), `declares`
  (the variables an answer fills, declared just before it), `check` (the question's check), `written`
  (a written answer), `beyond` (a part beyond the TP: given, never graded), `question`, and, in the
  grader's copy only, `export`.
- In the solutions, an answer lies between `// BEGIN SOLUTION <question>` and `// END SOLUTION`; in the
  kit each region becomes a stub whose `lab.todo("<question>")` stops the notebook there.
- A written answer is a Markdown cell that starts with « **Votre réponse :** ».
- A check cell shows its verdict as data too, under VERDICT_MIME (lib/coursework/feedback.ts writes it):
  {"question", "passed", "points": [{"kind": "right" | "wrong" | "note", "text"}]}.
"""
import re
from typing import Any

WRITTEN = "**Votre réponse :**"
BEGIN = re.compile(r"^(\s*)// BEGIN SOLUTION (\S+)\s*$")
END = "// END SOLUTION"
VERDICT_MIME = "application/vnd.tp5.verdict+json"
#: A call of lab.todo, with its question when it names one (nbgrader's stub does not).
TODO = re.compile(r"""\blab\.todo\(\s*(?:["']([^"']*)["'])?\s*\)""")


def tp5(cell: Any) -> dict[str, Any]:
    """A cell's tp5 metadata (empty for a cell without)."""
    metadata: dict[str, Any] = cell.get("metadata", {}).get("tp5", {})
    return metadata


def todo_stub(indent: str, question: str) -> list[str]:
    """The lines that stand for an answer region in the kit."""
    return [f"{indent}// À compléter (question {question})", f'{indent}lab.todo("{question}");']


def holds_todo(cell: Any) -> bool:
    """Whether a code cell still holds a call of lab.todo: an answer not written yet."""
    return cell.get("cell_type") == "code" and TODO.search(str(cell.get("source", ""))) is not None


def todo_questions(notebook: Any) -> list[str]:
    """The questions whose stubs are still in the notebook, in order, each once."""
    found = [m.group(1) for cell in notebook.cells if cell.get("cell_type") == "code"
             for m in TODO.finditer(str(cell.get("source", ""))) if m.group(1)]
    return list(dict.fromkeys(found))


def is_model_written_answer(cell: Any) -> bool:
    """In a solution notebook: a written answer's model text, which the kit empties."""
    return cell.get("cell_type") == "markdown" and str(cell.get("source", "")).lstrip().startswith(WRITTEN)


def written_text(cell: Any) -> str:
    """What the student wrote in a written answer's cell, « Votre réponse : » left out."""
    text = str(cell.get("source", "")).strip()
    return text[len(WRITTEN):].strip() if text.startswith(WRITTEN) else text


def written_answers(notebook: Any) -> dict[str, str]:
    """Each written answer's question (its cell's tp5.written) → the text written."""
    return {tp5(cell)["written"]: written_text(cell) for cell in notebook.cells
            if cell.get("cell_type") == "markdown" and tp5(cell).get("written")}


def empty_written(notebook: Any) -> list[str]:
    """The questions whose written answer is still empty."""
    return [question for question, text in written_answers(notebook).items() if not text]


def without_beyond(cells: list[Any]) -> list[Any]:
    """The cells, the parts beyond the TP (given, never graded) left out."""
    return [cell for cell in cells if not tp5(cell).get("beyond")]
