"""Grading a class: HANDINS/<student>/<notebook>.ipynb → OUT/grades.csv, OUT/feedback/<student>/<notebook>.html
and OUT/reponses-redigees.html.

Each hand-in, with its given cells put back as the solutions have them, runs in a sandbox (sandbox.py)
in quick mode; cells the grader adds at its end export what the questions are graded on (models,
tables, tensors, histories) as data. A second process, in a sandbox of its own and with none of the
hand-in's code, judges that data with the notebooks' checks (lib/coursework/judge.ts): what the
hand-in's own kernel printed or computed is never taken as a verdict. One hand-in that fails, loops or
crashes never stops the class.
"""
import csv
import html
import json
import pathlib
import re
import shutil
import time
from dataclasses import dataclass, field

import nbformat

from . import sandbox
from .check import WRITTEN, question_key, restore_given_cells, solution_for, tp5
from .execute import KernelDied, clear_outputs, execute, write_atomically
from .export import to_html

ROOT = pathlib.Path(__file__).resolve().parents[2]
GRADED_VALUES = json.loads((ROOT / "lib" / "coursework" / "graded-values.json").read_text(encoding="utf-8"))
NOTEBOOKS_DIR = ROOT / "notebooks"
MANUAL_POINTS = "points-manuels.csv"


@dataclass
class Options:
    cell_timeout: int = 120
    notebook_timeout: int = 900
    memory_bytes: int = 16 * 1024 ** 3
    sandboxed: bool = True


@dataclass
class Graded:
    student: str
    notebook: str
    part: int
    verdicts: list = field(default_factory=list)
    written: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(v["passed"] for v in self.verdicts)


def export_cells(part: int, answers_dir: pathlib.Path) -> list:
    """One cell per graded value: a value the hand-in never defined loses only its own cell."""
    cells = []
    for name, expression in GRADED_VALUES[str(part)].items():
        source = f"lab.exportAnswer({json.dumps(str(answers_dir))}, {json.dumps(name)}, {expression});"
        cells.append(nbformat.v4.new_code_cell(source, metadata={"tp5": {"export": name}}))
    return cells


KILLED_CELL = "// Cellule retirée par le correcteur : elle a arrêté le noyau (plantage ou limite de mémoire)."
#: How many cells that kill the kernel a hand-in may have before it is given up.
KERNEL_DEATHS = 3


def run_inside(notebook_path: pathlib.Path, work: pathlib.Path, part: int, cell_timeout: int) -> None:
    """In the sandbox: runs the prepared hand-in with the export cells, writes executed.ipynb and run.json.

    A cell that kills the kernel is taken out and the notebook runs again from the start without it,
    so that it costs its own question only."""
    notebook = nbformat.read(notebook_path, as_version=4)
    answers = work / "answers"
    answers.mkdir(exist_ok=True)
    notebook.cells.extend(export_cells(part, answers))
    killed = []
    while True:
        try:
            execution = execute(clear_outputs(notebook), NOTEBOOKS_DIR, cell_timeout, allow_errors=True, quick=True)
            break
        except KernelDied as death:
            if death.index < 0 or len(killed) >= KERNEL_DEATHS:
                raise
            killed.append(death.index)
            notebook.cells[death.index].source = KILLED_CELL
    write_atomically(execution.notebook, work / "executed.ipynb")
    errors = [{"cell": e.index, "message": e.message} for e in execution.errors if e.index not in killed]
    errors += [{"cell": index, "message": "elle a arrêté le noyau (plantage ou limite de mémoire) : retirée"} for index in killed]
    (work / "run.json").write_text(json.dumps({"errors": sorted(errors, key=lambda e: e["cell"]), "timeouts": execution.timeouts}),
                                   encoding="utf-8")


def safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "sans-nom"


def question_of(cell) -> str:
    return tp5(cell).get("answer") or tp5(cell).get("check") or ""


def grade_one(student: str, path: pathlib.Path, work: pathlib.Path, options: Options) -> Graded:
    handin = nbformat.read(path, as_version=4)
    part, solution = solution_for(handin, path)
    graded = Graded(student, path.name, part)
    graded.written = {tp5(c)["written"]: c.source.strip()[len(WRITTEN):].strip()
                      for c in handin.cells if tp5(c).get("written") and c.source.strip().startswith(WRITTEN)}
    graded.notes = restore_given_cells(handin, solution)
    # The parts beyond the TP are given, not graded: they are left out of the graded run, which they would only lengthen.
    handin.cells = [cell for cell in handin.cells if not tp5(cell).get("beyond")]
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    write_atomically(clear_outputs(handin), work / "handin.ipynb")

    python = str(ROOT / ".venv" / "bin" / "python")
    problem = sandbox.run([python, "-m", "scripts.tp5nb", "sandboxed-run", str(work / "handin.ipynb"), str(work),
                           "--part", str(part), "--cell-timeout", str(options.cell_timeout)],
                          work, work / "run.log", options.notebook_timeout, options.memory_bytes, options.sandboxed)
    if problem:
        graded.notes.append(f"exécution du carnet : {problem}")
    run = json.loads((work / "run.json").read_text()) if (work / "run.json").exists() else {"errors": [], "timeouts": []}
    executed = nbformat.read(work / "executed.ipynb", as_version=4) if (work / "executed.ipynb").exists() else None
    for error in run["errors"]:
        index = error["cell"]
        cell = executed.cells[index] if executed and index < len(executed.cells) else {}
        if tp5(cell).get("export"):
            continue
        question = question_of(cell)
        where = f"cellule {index}{f' (question {question})' if question else ''}"
        if index in run["timeouts"]:
            graded.notes.append(f"{where} arrêtée au bout de {options.cell_timeout} s")
        else:
            graded.notes.append(f"{where} : {error['message'].splitlines()[0][:200] if error['message'] else 'erreur'}")

    judge_log = work / "judge.json"
    problem = sandbox.run(["node", str(ROOT / "build" / "scripts" / "judge.js"), str(work / "answers"), str(part)],
                          work, judge_log, 600, options.memory_bytes, options.sandboxed)
    expected = sorted({tp5(c)["check"] for c in solution.cells if tp5(c).get("check")}, key=question_key)
    verdicts = {}
    if not problem:
        # The verdicts are the judge's one JSON line (TensorFlow may log other lines around it).
        lines = [line for line in judge_log.read_text(encoding="utf-8").splitlines() if line.startswith("[")]
        for verdict in json.loads(lines[-1]) if lines else []:
            verdicts[verdict["question"]] = verdict
    else:
        graded.notes.append(f"correction automatique impossible : {problem} ({tail(judge_log)})")
    graded.verdicts = [verdicts.get(q, {"question": q, "passed": False, "points": ["✘ non jugée"]}) for q in expected]
    return graded


def tail(log: pathlib.Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines() if log.exists() else []
    return lines[-1][:300] if lines else "aucune sortie"


def feedback_page(graded: Graded, work: pathlib.Path) -> str:
    """The hand-in as re-run, shown defanged (export.defanged), under each question's verdict and message."""
    rows = "".join(
        f"<tr><td>{'✔' if v['passed'] else '✘'} Question {html.escape(v['question'])}</td>"
        f"<td>{'<br>'.join(html.escape(p) for p in v['points'] if p.startswith('✘')) or 'juste'}</td></tr>"
        for v in graded.verdicts)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in graded.notes)
    summary = (f'<div style="font-family:sans-serif;padding:12px 24px;border-bottom:2px solid #444">'
               f"<h2>{html.escape(graded.notebook)} — {html.escape(graded.student)}</h2>"
               f"<p>Correction automatique : <b>{graded.points} / {len(graded.verdicts)}</b> "
               f"(carnet ré-exécuté en mode rapide, dans un bac à sable)</p>"
               f'<table border="1" cellpadding="4" style="border-collapse:collapse">{rows}</table>'
               + (f"<p>Remarques :</p><ul>{notes}</ul>" if notes else "") + "</div>")
    executed = work / "executed.ipynb"
    if not executed.exists():
        return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{summary}</body></html>"
    notebook = nbformat.read(executed, as_version=4)
    notebook.cells = [c for c in notebook.cells if not tp5(c).get("export")]
    body = to_html(notebook, graded.notebook, graded.student, untrusted=True)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + summary, body, count=1)


def written_page(results: list) -> str:
    """Every written answer, question by question, the students side by side, for grading by hand."""
    by_question = {}
    for graded in results:
        for question, text in graded.written.items():
            by_question.setdefault((graded.part, question), []).append((graded.student, text))
    sections = []
    for (_, question), answers in sorted(by_question.items(), key=lambda item: (item[0][0], question_key(item[0][1]))):
        cells = "".join(f'<div style="flex:1 1 320px;border:1px solid #aaa;margin:4px;padding:8px">'
                        f"<b>{html.escape(student)}</b><p style='white-space:pre-wrap'>{html.escape(text) or '<i>(vide)</i>'}</p></div>"
                        for student, text in answers)
        sections.append(f"<h2>Question {html.escape(question)}</h2><div style='display:flex;flex-wrap:wrap'>{cells}</div>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Réponses rédigées</title></head>"
            f"<body style='font-family:sans-serif'><h1>Réponses rédigées</h1>{''.join(sections)}</body></html>")


def manual_points(out: pathlib.Path) -> dict:
    """Points entered by the teacher in OUT/points-manuels.csv (student, notebook, question, points)."""
    path = out / MANUAL_POINTS
    points = {}
    if path.exists():
        with open(path, newline="", encoding="utf-8") as source:
            for row in csv.DictReader(source):
                value = (row.get("points") or "").strip().replace(",", ".")
                if value:
                    key = (row["student"], row["notebook"])
                    points[key] = points.get(key, 0.0) + float(value)
    return points


def write_manual_template(out: pathlib.Path, results: list) -> None:
    path = out / MANUAL_POINTS
    if path.exists():
        return
    with open(path, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(["student", "notebook", "question", "points", "commentaire"])
        for graded in results:
            for question in sorted(graded.written, key=question_key):
                writer.writerow([graded.student, graded.notebook, question, "", ""])


def write_grades(out: pathlib.Path, results: list) -> None:
    questions = sorted({v["question"] for g in results for v in g.verdicts}, key=question_key)
    written = sorted({q for g in results for q in g.written}, key=question_key)
    manual = manual_points(out)
    partial = out / "grades.csv.partial"
    with open(partial, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(["student", "notebook", "auto_points", "auto_max", *[f"q{q}" for q in questions],
                         *[f"redige_{q}" for q in written], "manual_points", "total", "notes"])
        for g in results:
            marks = {v["question"]: int(v["passed"]) for v in g.verdicts}
            hand = manual.get((g.student, g.notebook))
            writer.writerow([g.student, g.notebook, g.points, len(g.verdicts), *[marks.get(q, "") for q in questions],
                             *[("rédigée" if g.written[q] else "vide") if q in g.written else "" for q in written],
                             "" if hand is None else hand, g.points + (hand or 0), notes_text(g.notes)])
    partial.replace(out / "grades.csv")


def notes_text(notes: list, shown: int = 6) -> str:
    """The first notes of a hand-in for its CSV row (its feedback page has them all)."""
    more = f" | … ({len(notes) - shown} de plus, voir la page de retour)" if len(notes) > shown else ""
    return " | ".join(notes[:shown]) + more


def handins(folder: pathlib.Path) -> list:
    """(student, notebook path) for HANDINS/<student>/<notebook>.ipynb, or nbgrader's
    submitted/<student>/<assignment>/<notebook>.ipynb, in order."""
    found = []
    for student in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebooks = sorted(student.glob("*.ipynb")) or sorted(student.glob("*/*.ipynb"))
        found.extend((student.name, notebook) for notebook in notebooks)
    return found


def grade(folder: pathlib.Path, out: pathlib.Path, options: Options) -> list:
    found = handins(folder)
    if not found:
        raise SystemExit(f"aucun rendu dans {folder} : la forme attendue est {folder}/<étudiant>/<carnet>.ipynb")
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for number, (student, path) in enumerate(found, 1):
        started = time.time()
        work = out / ".travail" / safe_name(student) / safe_name(path.stem)
        try:
            graded = grade_one(student, path, work, options)
        except Exception as error:  # one broken hand-in never stops the class
            graded = Graded(student, path.name, 0, notes=[f"rendu illisible : {str(error).splitlines()[0] if str(error) else type(error).__name__}"])
        results.append(graded)
        page = out / "feedback" / safe_name(student) / f"{safe_name(path.stem)}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(feedback_page(graded, work), encoding="utf-8")
        print(f"[grade] {number}/{len(found)} {student}/{path.name} : {graded.points} / {len(graded.verdicts)} "
              f"({time.time() - started:.0f} s){' — ' + graded.notes[-1] if graded.notes else ''}", flush=True)
    (out / ".travail" / "resultats.json").write_text(json.dumps([graded.__dict__ for graded in results], ensure_ascii=False), encoding="utf-8")
    write_grades(out, results)
    write_manual_template(out, results)
    (out / "reponses-redigees.html").write_text(written_page(results), encoding="utf-8")
    print(f"[grade] wrote {out / 'grades.csv'}, {out / 'feedback'}/, {out / 'reponses-redigees.html'} "
          f"and {out / MANUAL_POINTS} (points des réponses rédigées, à remplir, puis npm run grade -- --points-only --out OUT)")
    return results


def merge_points(out: pathlib.Path) -> None:
    """Rewrites OUT/grades.csv with the points entered in OUT/points-manuels.csv, without grading again."""
    saved = out / ".travail" / "resultats.json"
    if not saved.exists():
        raise SystemExit(f"{out} ne contient pas de correction (lancez d'abord npm run grade -- RENDUS --out {out})")
    results = [Graded(**fields) for fields in json.loads(saved.read_text(encoding="utf-8"))]
    write_grades(out, results)
    print(f"[grade] points de {out / MANUAL_POINTS} fusionnés dans {out / 'grades.csv'}")
