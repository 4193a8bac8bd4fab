"""The class's files, written from every hand-in's result: grades.csv, notes-moodle.csv (Moodle's grade
import), reponses-redigees.html (the written answers side by side) and points-manuels.csv (the teacher's
points for those, merged into the grades by --points-only). Each is written whole or not at all."""
import csv
import html
import io
import pathlib
from collections.abc import Sequence

from ..execute import write_text_atomically
from ..lab_notebook import question_key
from ..safe_html import sanitized
from .records import Graded, Note

MANUAL_POINTS = "points-manuels.csv"


def write_class_files(out: pathlib.Path, results: list[Graded]) -> None:
    write_grades(out, results)
    write_manual_template(out, results)
    write_text_atomically(written_page(results), out / "reponses-redigees.html")


def write_grades(out: pathlib.Path, results: list[Graded]) -> None:
    """OUT/grades.csv (a row per hand-in: each question's mark, whether each written answer is there, the
    teacher's points, the total, the first notes) and OUT/notes-moodle.csv."""
    questions = sorted({v.question for g in results for v in g.verdicts}, key=question_key)
    written = sorted({q for g in results for q in g.written}, key=question_key)
    manual = manual_points(out)
    rows = []
    for g in results:
        marks = {v.question: int(v.passed) for v in g.verdicts}
        hand = manual.get((g.student, g.notebook))
        rows.append([g.student, g.notebook, g.points, len(g.verdicts), *[marks.get(q, "") for q in questions],
                     *[("rédigée" if g.written[q] else "vide") if q in g.written else "" for q in written],
                     "" if hand is None else fmt(hand), fmt(g.points + (hand or 0)), notes_text(g.notes)])
    write_csv(out / "grades.csv", ["student", "notebook", "auto_points", "auto_max", *[f"q{q}" for q in questions],
                                   *[f"redige_{q}" for q in written], "manual_points", "total", "notes"], rows)
    write_moodle(out, results, manual)


def write_moodle(out: pathlib.Path, results: list[Graded], manual: dict[tuple[str, str], float]) -> None:
    """OUT/notes-moodle.csv, for Moodle's grade import (CSV): one row per student, keyed by the student's
    folder name (column « identifiant », mapped in Moodle to the user field those names are: username,
    email or ID number), one column per part of the TP (automatic and manual points) and the total."""
    parts = sorted({g.part for g in results})
    by_student: dict[str, dict[int, float]] = {}
    for g in results:
        marks = by_student.setdefault(g.student, {})
        marks[g.part] = marks.get(g.part, 0) + g.points + (manual.get((g.student, g.notebook)) or 0)
    rows = [[student, *[fmt(marks[part]) if part in marks else "" for part in parts], fmt(sum(marks.values()))]
            for student, marks in sorted(by_student.items())]
    write_csv(out / "notes-moodle.csv", ["identifiant", *[f"TP5 partie {part}" for part in parts], "TP5 total"], rows)


def fmt(value: float) -> str:
    """A number as Moodle's import reads it: a point as decimal separator, no useless decimals."""
    return f"{value:g}"


def notes_text(notes: list[Note], shown: int = 6) -> str:
    """The first notes of a hand-in for its CSV row (its feedback page has them all)."""
    more = f" | … ({len(notes) - shown} de plus, voir la page de retour)" if len(notes) > shown else ""
    return " | ".join(note.text for note in notes[:shown]) + more


def manual_points(out: pathlib.Path) -> dict[tuple[str, str], float]:
    """Points entered by the teacher in OUT/points-manuels.csv (student, notebook, question, points), by hand-in;
    a value that is not a number stops with its line, before any file is written."""
    path = out / MANUAL_POINTS
    points: dict[tuple[str, str], float] = {}
    if not path.exists():
        return points
    with open(path, newline="", encoding="utf-8") as source:
        for line, row in enumerate(csv.DictReader(source), 2):
            value = (row.get("points") or "").strip().replace(",", ".")
            if not value:
                continue
            try:
                number = float(value)
            except ValueError:
                raise SystemExit(f"{path}, ligne {line} : « {row.get('points')} » n'est pas un nombre de points "
                                 "(attendu : un nombre, 1,5 ou 1.5, ou rien)") from None
            key = (row.get("student") or "", row.get("notebook") or "")
            points[key] = points.get(key, 0.0) + number
    return points


def write_manual_template(out: pathlib.Path, results: list[Graded]) -> None:
    """OUT/points-manuels.csv, a row per written answer to fill in; never overwritten once there."""
    path = out / MANUAL_POINTS
    if path.exists():
        return
    rows = [[g.student, g.notebook, question, "", ""] for g in results for question in sorted(g.written, key=question_key)]
    write_csv(path, ["student", "notebook", "question", "points", "commentaire"], rows)


def written_page(results: list[Graded]) -> str:
    """Every written answer, question by question, the students side by side, for grading by hand."""
    by_question: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for graded in results:
        for question, text in graded.written.items():
            by_question.setdefault((graded.part, question), []).append((graded.student, text))
    sections = []
    for (_, question), answers in sorted(by_question.items(), key=lambda item: (item[0][0], question_key(item[0][1]))):
        cells = "".join(f'<div style="flex:1 1 320px;border:1px solid #aaa;margin:4px;padding:8px">'
                        f"<b>{html.escape(student)}</b><p style='white-space:pre-wrap'>{html.escape(text) or '<i>(vide)</i>'}</p></div>"
                        for student, text in answers)
        sections.append(f"<h2>Question {html.escape(question)}</h2><div style='display:flex;flex-wrap:wrap'>{cells}</div>")
    return sanitized("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Réponses rédigées</title></head>"
                     f"<body style='font-family:sans-serif'><h1>Réponses rédigées</h1>{''.join(sections)}</body></html>")


def write_csv(target: pathlib.Path, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_text_atomically(text.getvalue(), target)
