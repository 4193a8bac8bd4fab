"""A hand-in's result saved beside its work (graded.json), keyed by its content and the grader's version:
a second run reuses it instead of grading again (unless --force)."""
import functools
import hashlib
import json
import pathlib

from ..execute import write_text_atomically
from ..lab_notebook import QUESTIONS_FILE
from common.paths import ROOT
from .records import Graded

SAVED = "graded.json"


@functools.lru_cache(maxsize=None)
def grader_version() -> str:
    """Changes whenever what grading does changes: the compiled library, the grader and what it uses of the
    sandbox and the common modules, the solutions (read once a run)."""
    digest = hashlib.sha256()
    code = [path for folder in ("grader", "sandbox", "common") for path in (ROOT / folder).rglob("*.py")]
    for path in sorted([ROOT / "build" / ".tp5-built", *code,
                        *(ROOT / "notebooks").glob("0*.ipynb"), QUESTIONS_FILE]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def content_key(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes() + grader_version().encode()).hexdigest()


def read_result(work: pathlib.Path) -> Graded:
    return Graded(**json.loads((work / SAVED).read_text(encoding="utf-8")))


def previous_result(path: pathlib.Path, work: pathlib.Path) -> Graded | None:
    """The result saved in `work` if it was graded from this very content by this version of the grader, else None."""
    if not (work / SAVED).exists():
        return None
    try:
        previous = read_result(work)
    except (ValueError, TypeError):
        return None  # damaged, or written by a grader whose records differed: graded again
    return previous if previous.key == content_key(path) else None


def save_result(graded: Graded, work: pathlib.Path) -> None:
    """Written whole or not at all: an interrupted run never leaves half a result."""
    write_text_atomically(json.dumps(graded.to_json(), ensure_ascii=False), work / SAVED)
