"""Grading a class: HANDINS/<student>/<notebook>.ipynb → OUT/grades.csv, OUT/notes-moodle.csv,
OUT/feedback/<student>/<notebook>.html and OUT/reponses-redigees.html.

Each hand-in goes through the same small steps (grade_one):
  1. prepare: its given cells put back as the solutions have them, the parts beyond the TP left out,
     a note where a training answer names the test images,
     export cells added at its end (one per graded value: a value never defined loses only its cell);
  2. run it in a sandbox (sandbox.py), in quick mode, in a fresh tslab kernel; its results come back
     through a pipe as an archive (inside.py), unpacked into a folder of the grader's own;
  3. read which cells failed or ran too long;
  4. judge the exported answers in a second sandbox, with none of the hand-in's code
     (lib/coursework/judge.ts), its verdicts coming back on a pipe it alone writes: what the hand-in's
     own kernel printed is never taken as a verdict; one Verdict type (lab_notebook.py) throughout;
  5. write its result (graded.json, keyed by the hand-in's content and the grader's version, so that
     a second run skips it) and its feedback page.
Then the class's files are written from every graded.json (merge). Hand-ins are graded `jobs` at a
time, each sandbox on its own cores; one that fails, loops or crashes never stops the class. Each
hand-in can also be graded as a task of its own (--task, for a scheduler's job array), the results
gathered afterwards by --merge.
"""
import csv
import functools
import hashlib
import html
import io
import json
import os
import pathlib
import re
import shutil
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field

import nbformat

from . import sandbox
from .lab_notebook import QUESTIONS, QUESTIONS_FILE, Verdict, graded_values, question_key, questions_of, restore_given_cells, solution_for, tp5
from .student import WRITTEN
from .execute import clear_outputs, write_atomically
from .export import to_html
from .paths import PYTHON, ROOT
from .safe_html import sanitized

MANUAL_POINTS = "points-manuels.csv"


@dataclass
class Options:
    cell_timeout: int = 120
    notebook_timeout: int = 900
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    sandboxed: bool = True
    jobs: int = 1
    force: bool = False


@dataclass
class Graded:
    student: str
    notebook: str
    part: int
    verdicts: list = field(default_factory=list)
    written: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    #: What the hand-in's content and the grader's version hash to (see grader_version).
    key: str = ""

    def __post_init__(self):
        # Read back from graded.json, the verdicts are plain dicts.
        self.verdicts = [v if isinstance(v, Verdict) else Verdict(**v) for v in self.verdicts]

    @property
    def points(self) -> int:
        return sum(v.passed for v in self.verdicts)


@functools.lru_cache(maxsize=None)
def grader_version() -> str:
    """Changes whenever what grading does changes: the compiled library, the grader, the solutions (read once a run)."""
    digest = hashlib.sha256()
    for path in sorted([ROOT / "build" / ".tp5-built", *(ROOT / "scripts" / "tp5nb").glob("*.py"),
                        *(ROOT / "notebooks").glob("0*.ipynb"), QUESTIONS_FILE]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def export_cells(part: int, answers_dir: pathlib.Path) -> list:
    """One cell per graded value: a value the hand-in never defined loses only its own cell."""
    cells = []
    for name, expression in graded_values(part).items():
        source = f"lab.exportAnswer({json.dumps(str(answers_dir))}, {json.dumps(name)}, {expression});"
        cells.append(nbformat.v4.new_code_cell(source, metadata={"tp5": {"export": name}}))
    return cells


def safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "sans-nom"


def question_of(cell) -> str:
    return tp5(cell).get("answer") or tp5(cell).get("check") or ""


def one_line(text: str, limit: int = 300) -> str:
    """A message on one line (a check's message spans several), cut at `limit` characters."""
    flat = " ".join(line.strip() for line in (text or "").splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


@dataclass
class Places:
    """Where a hand-in's files are, on this machine and as its run sees them."""
    work: pathlib.Path
    sandboxed: bool
    slot: int

    @property
    def inputs(self) -> pathlib.Path:
        return self.work / "entree"

    @property
    def results(self) -> pathlib.Path:
        return self.work / "resultats"

    @property
    def scratch_seen(self) -> pathlib.Path:
        # Without the sandbox the scratch folder must still lie inside the project (import "tp5-lab").
        return sandbox.SCRATCH if self.sandboxed else ROOT / "build" / f".rendu-{os.getpid()}-{self.slot}"

    @property
    def inputs_seen(self) -> pathlib.Path:
        return sandbox.INPUTS if self.sandboxed else self.inputs


#: The answers that train models, where naming the test images means training on them.
TRAINING_ANSWERS = [question for question, spec in QUESTIONS.items() if spec.get("trainsModels")]
TEST_IMAGES = re.compile(r"\b(xTest|xNoisyTest)\b|\.test\b")
COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def test_images_notes(handin: nbformat.NotebookNode) -> list:
    """A note for each training answer whose code (comments aside) names the test images: trained on them?
    A hint for the teacher, not a verdict: the judge adds its own when the models fit the test images too well."""
    return [f"la réponse à la question {question} nomme les images de test : entraînement sur les images de test ? (à vérifier)"
            for question in TRAINING_ANSWERS
            if any(tp5(c).get("answer") == question and TEST_IMAGES.search(COMMENTS.sub("", c.source))
                   for c in handin.cells if c.cell_type == "code")]


def prepare(handin: nbformat.NotebookNode, solution: nbformat.NotebookNode, part: int, places: Places) -> list:
    """Step 1: the hand-in as it will run, in places.inputs; returns the notes on its given cells."""
    notes = restore_given_cells(handin, solution)
    # The parts beyond the TP are given, not graded: left out of the graded run, which they would only lengthen.
    handin.cells = [cell for cell in handin.cells if not tp5(cell).get("beyond")]
    handin.cells.extend(export_cells(part, places.scratch_seen / "answers"))
    if places.work.exists():
        shutil.rmtree(places.work)
    places.inputs.mkdir(parents=True)
    write_atomically(clear_outputs(handin), places.inputs / "handin.ipynb")
    return notes


def run_handin(places: Places, options: Options) -> list:
    """Step 2: runs the hand-in and unpacks its results into places.results; returns notes on the run."""
    if not options.sandboxed:
        shutil.rmtree(places.scratch_seen, ignore_errors=True)
        places.scratch_seen.mkdir(parents=True)
    inner = [PYTHON, "-m", "scripts.tp5nb.inside", str(places.inputs_seen / "handin.ipynb"), str(places.scratch_seen),
             "--cell-timeout", str(options.cell_timeout), "--results-fd", sandbox.RESULTS_FD]
    outcome = sandbox.run(inner, places.work / "run.log", options.notebook_timeout, options.limits, places.slot,
                          options.sandboxed, inputs=places.inputs, scratch_bytes=options.limits.tmp_bytes)
    if not options.sandboxed:
        shutil.rmtree(places.scratch_seen, ignore_errors=True)
    notes = [f"exécution du carnet : {outcome.problem}"] if outcome.problem else []
    if outcome.results_truncated:
        notes.append("résultats de l'exécution trop volumineux : ignorés")
    elif outcome.results:
        try:
            with tarfile.open(fileobj=io.BytesIO(outcome.results), mode="r:") as archive:
                # Regular files only, inside the folder (the "data" filter refuses links and absolute paths).
                archive.extractall(places.results, members=[m for m in archive.getmembers() if m.isfile()], filter="data")
        except (tarfile.TarError, OSError) as error:
            notes.append(f"résultats de l'exécution illisibles : {error}")
    return notes


def run_notes(places: Places, options: Options) -> list:
    """Step 3: a note per cell that failed or ran too long (the export cells aside)."""
    run_file, executed_file = places.results / "run.json", places.results / "executed.ipynb"
    run = json.loads(run_file.read_text()) if run_file.exists() else {"errors": [], "timeouts": []}
    executed = nbformat.read(executed_file, as_version=4) if executed_file.exists() else None
    notes = []

    def where(index: int) -> str:
        cell = executed.cells[index] if executed and index < len(executed.cells) else {}
        question = question_of(cell)
        return f"cellule {index}{f' (question {question})' if question else ''}"

    for error in run["errors"]:
        index = error["cell"]
        if executed and index < len(executed.cells) and tp5(executed.cells[index]).get("export"):
            continue
        if index in run["timeouts"]:
            notes.append(f"{where(index)} arrêtée au bout de {options.cell_timeout} s")
        else:
            notes.append(f"{where(index)} : {one_line(error['message']) or 'erreur'}")
    notes += [f"{where(cut['cell'])} : {cut['message']}" for cut in run.get("cut", [])]
    return notes


def judge(places: Places, part: int, expected: list, options: Options) -> tuple:
    """Step 4: the verdicts of the judge on the exported answers, in a sandbox of its own; and a note if it could not judge."""
    answers = places.results / "answers"
    answers.mkdir(parents=True, exist_ok=True)
    seen = sandbox.INPUTS if options.sandboxed else answers
    log = places.work / "judge.log"
    outcome = sandbox.run(["node", str(ROOT / "build" / "scripts" / "judge.js"), str(seen), str(part), "--results-fd", sandbox.RESULTS_FD],
                          log, 600, options.limits, places.slot, options.sandboxed, inputs=answers)
    verdicts, notes = {}, []
    if outcome.problem:
        notes.append(f"correction automatique impossible : {outcome.problem} ({tail(log)})")
    else:
        # The verdicts come on the judge's own channel, a pipe it alone writes (its log has whatever TensorFlow printed).
        try:
            judged = [Verdict(**verdict) for verdict in json.loads(outcome.results or b"[]")]
        except (ValueError, TypeError) as error:
            judged = []
            notes.append(f"correction automatique impossible : réponse du juge illisible ({error})")
        for verdict in judged:
            # The judge's ⚠ points fail nothing: they are notes for the teacher.
            notes += [f"{point.lstrip('⚠ ')} (question {verdict.question})" for point in verdict.points if point.startswith("⚠")]
            verdict.points = [point for point in verdict.points if not point.startswith("⚠")]
            verdicts[verdict.question] = verdict
    return [verdicts.get(q, Verdict(q, False, ["✘ non jugée"])) for q in expected], notes


def tail(log: pathlib.Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines() if log.exists() else []
    return lines[-1][:300] if lines else "aucune sortie"


def previous_result(path: pathlib.Path, work: pathlib.Path) -> Graded:
    """The result saved in `work` if it was graded from this very content by this version of the grader, else None."""
    saved = work / "graded.json"
    if not saved.exists():
        return None
    previous = Graded(**json.loads(saved.read_text(encoding="utf-8")))
    return previous if previous.key == content_key(path) else None


def content_key(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes() + grader_version().encode()).hexdigest()


def grade_one(student: str, path: pathlib.Path, work: pathlib.Path, options: Options, slot: int = 0) -> Graded:
    """Grades one hand-in (steps 1 to 4 in the module's doc)."""
    key = content_key(path)
    handin = nbformat.read(path, as_version=4)
    part, solution = solution_for(handin, path)
    graded = Graded(student, path.name, part, key=key)
    graded.written = {tp5(c)["written"]: c.source.strip()[len(WRITTEN):].strip()
                      for c in handin.cells if tp5(c).get("written") and c.source.strip().startswith(WRITTEN)}
    places = Places(work, options.sandboxed, slot)
    graded.notes = prepare(handin, solution, part, places) + test_images_notes(handin)
    graded.notes += run_handin(places, options)
    graded.notes += run_notes(places, options)
    graded.verdicts, notes = judge(places, part, questions_of(part), options)
    graded.notes += notes
    return graded


def feedback_page(graded: Graded, work: pathlib.Path) -> str:
    """The hand-in as re-run, under each question's verdict and message: no script, no link that runs one,
    nothing loaded from elsewhere (safe_html)."""
    rows = "".join(
        f"<tr><td>{'✔' if v.passed else '✘'} Question {html.escape(v.question)}</td>"
        f"<td>{'<br>'.join(html.escape(p) for p in v.points if p.startswith('✘')) or 'juste'}</td></tr>"
        for v in graded.verdicts)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in graded.notes)
    summary = (f'<div style="font-family:sans-serif;padding:12px 24px;border-bottom:2px solid #444">'
               f"<h2>{html.escape(graded.notebook)} — {html.escape(graded.student)}</h2>"
               f"<p>Correction automatique : <b>{graded.points} / {len(graded.verdicts)}</b> "
               f"(carnet ré-exécuté en mode rapide, dans un bac à sable)</p>"
               f'<table border="1" cellpadding="4" style="border-collapse:collapse">{rows}</table>'
               + (f"<p>Remarques :</p><ul>{notes}</ul>" if notes else "") + "</div>")
    executed = work / "resultats" / "executed.ipynb"
    if not executed.exists():
        return sanitized(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{summary}</body></html>")
    notebook = nbformat.read(executed, as_version=4)
    notebook.cells = [c for c in notebook.cells if not tp5(c).get("export")]
    body = to_html(notebook, graded.notebook, graded.student, untrusted=True)
    return sanitized(re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + summary, body, count=1))


def console_line(graded: Graded, reused: bool = False) -> str:
    """What the console says of a hand-in: its points, the questions to revise and the cause of the first
    (the error of its own cell if it failed, else what the judge found), and how many other notes."""
    wrong = [v for v in graded.verdicts if not v.passed]
    line = f"{graded.points} / {len(graded.verdicts)}{' (déjà corrigé, inchangé)' if reused else ''}"
    if wrong:
        line += f" ; à revoir : {', '.join(v.question for v in wrong)}"
    own = [note for note in graded.notes if wrong and f"(question {wrong[0].question})" in note]
    found = [point.lstrip("✘ ") for point in (wrong[0].points if wrong else []) if point.startswith("✘")]
    cause = (own or found or graded.notes or [""])[0]
    if cause:
        line += f" ; {one_line(cause, 160)}"
    others = len(graded.notes) - (1 if cause in graded.notes else 0)
    if others > 0:
        line += f" (+{others} remarque{'s' if others > 1 else ''})"
    return line


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
    return sanitized("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Réponses rédigées</title></head>"
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


def write_csv(target: pathlib.Path, header: list, rows: list) -> None:
    """Writes next to the target, then renames: an interrupted run never leaves half a file."""
    partial = target.with_name(target.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    partial.replace(target)


def write_grades(out: pathlib.Path, results: list) -> None:
    questions = sorted({v.question for g in results for v in g.verdicts}, key=question_key)
    written = sorted({q for g in results for q in g.written}, key=question_key)
    manual = manual_points(out)
    rows = []
    for g in results:
        marks = {v.question: int(v.passed) for v in g.verdicts}
        hand = manual.get((g.student, g.notebook))
        rows.append([g.student, g.notebook, g.points, len(g.verdicts), *[marks.get(q, "") for q in questions],
                     *[("rédigée" if g.written[q] else "vide") if q in g.written else "" for q in written],
                     "" if hand is None else hand, g.points + (hand or 0), notes_text(g.notes)])
    write_csv(out / "grades.csv", ["student", "notebook", "auto_points", "auto_max", *[f"q{q}" for q in questions],
                                   *[f"redige_{q}" for q in written], "manual_points", "total", "notes"], rows)
    write_moodle(out, results, manual)


def write_moodle(out: pathlib.Path, results: list, manual: dict) -> None:
    """OUT/notes-moodle.csv, for Moodle's grade import (CSV): one row per student, keyed by the student's
    folder name (column « identifiant », mapped in Moodle to the user field those names are: username,
    email or ID number), one column per part of the TP (automatic and manual points) and the total."""
    parts = sorted({g.part for g in results})
    by_student = {}
    for g in results:
        points = g.points + (manual.get((g.student, g.notebook)) or 0)
        by_student.setdefault(g.student, {})[g.part] = by_student.get(g.student, {}).get(g.part, 0) + points
    rows = [[student, *[fmt(marks.get(part, "")) for part in parts], fmt(sum(marks.values()))]
            for student, marks in sorted(by_student.items())]
    write_csv(out / "notes-moodle.csv", ["identifiant", *[f"TP5 partie {part}" for part in parts], "TP5 total"], rows)


def fmt(value) -> str:
    """A number as Moodle's import reads it (a point as decimal separator), nothing for no grade."""
    return "" if value == "" else (f"{value:g}" if isinstance(value, float) else str(value))


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


def work_folder(out: pathlib.Path, student: str, path: pathlib.Path) -> pathlib.Path:
    return out / ".travail" / safe_name(student) / safe_name(path.stem)


def grade_and_save(student: str, path: pathlib.Path, out: pathlib.Path, options: Options, slot: int) -> tuple:
    """Step 5 around grade_one: graded.json and the feedback page; an unreadable hand-in is graded 0 with the reason.
    Returns the result and whether it was an earlier one, reused (same content, same grader version, no --force)."""
    work = work_folder(out, student, path)
    previous = None if options.force else previous_result(path, work)
    if previous is not None:
        return previous, True
    try:
        graded = grade_one(student, path, work, options, slot)
    except Exception as error:  # one broken hand-in never stops the class
        graded = Graded(student, path.name, 0, notes=[f"rendu illisible : {one_line(str(error)) or type(error).__name__}"])
    work.mkdir(parents=True, exist_ok=True)
    (work / "graded.json").write_text(json.dumps(asdict(graded), ensure_ascii=False), encoding="utf-8")
    page = out / "feedback" / safe_name(student) / f"{safe_name(path.stem)}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(feedback_page(graded, work), encoding="utf-8")
    return graded, False


def core_shares(jobs: int) -> list:
    """The cores of each parallel slot: the machine's cores dealt out evenly (None: one slot, every core)."""
    cores = sorted(os.sched_getaffinity(0))
    if jobs <= 1:
        return [None]
    per_slot = max(1, len(cores) // jobs)
    return [tuple(cores[(slot * per_slot + i) % len(cores)] for i in range(per_slot)) for slot in range(jobs)]


def default_jobs(limits: sandbox.Limits) -> int:
    """As many hand-ins at once as the cores allow, and the memory (each sandbox's bound)."""
    cores = len(os.sched_getaffinity(0))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(1, min(cores, memory // (limits.memory_bytes + limits.tmp_bytes)))


def grade(folder: pathlib.Path, out: pathlib.Path, options: Options) -> list:
    """Grades every hand-in of the class folder, `options.jobs` at a time, then writes the class's files."""
    found = handins(folder)
    if not found:
        raise SystemExit(f"aucun rendu dans {folder} : la forme attendue est {folder}/<étudiant>/<carnet>.ipynb")
    out.mkdir(parents=True, exist_ok=True)
    students = len({student for student, _ in found})
    print(f"[correction] {len(found)} rendus de {students} étudiant{'s' if students > 1 else ''} dans {folder} ; "
          f"{options.jobs} à la fois{'' if options.sandboxed else ', SANS bac à sable (--unsafe)'}", flush=True)
    shares = core_shares(options.jobs)
    free_slots = list(range(options.jobs))
    lock = threading.Lock()
    started = time.time()

    def task(student, path):
        with lock:
            slot = free_slots.pop()
        try:
            limits = sandbox.Limits(**{**asdict(options.limits), "cores": shares[slot]})
            return grade_and_save(student, path, out, Options(**{**options.__dict__, "limits": limits}), slot)
        finally:
            with lock:
                free_slots.append(slot)

    results = {}
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        futures = {pool.submit(task, student, path): (student, path) for student, path in found}
        for done, future in enumerate(as_completed(futures), 1):
            student, path = futures[future]
            graded, reused = future.result()
            results[(student, path)] = graded
            elapsed = time.time() - started
            remaining = elapsed / done * (len(found) - done)
            print(f"[correction] {done}/{len(found)} {student}/{path.name} : {console_line(graded, reused)}"
                  f"{f' — reste environ {duration(remaining)}' if done < len(found) else ''}", flush=True)
    ordered = [results[item] for item in found]
    write_class_files(out, ordered)
    print(f"[correction] {len(found)} rendus en {duration(time.time() - started)} ; écrits : {out / 'grades.csv'}, "
          f"{out / 'notes-moodle.csv'}, {out / 'feedback'}/, {out / 'reponses-redigees.html'} et {out / MANUAL_POINTS} "
          f"(points des réponses rédigées, à remplir, puis npm run grade -- --points-only --out {out})")
    return ordered


def duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def write_class_files(out: pathlib.Path, results: list) -> None:
    write_grades(out, results)
    write_manual_template(out, results)
    (out / "reponses-redigees.html").write_text(written_page(results), encoding="utf-8")


def grade_task(folder: pathlib.Path, out: pathlib.Path, index: int, options: Options, slot: int) -> Graded:
    """Grades the hand-in number `index` (from 0, in the order of --list) alone: one task of a job array."""
    found = handins(folder)
    if not 0 <= index < len(found):
        raise SystemExit(f"--task {index} : la classe compte {len(found)} rendus, numérotés de 0 à {len(found) - 1}")
    student, path = found[index]
    graded, reused = grade_and_save(student, path, out, options, slot)
    print(f"[correction] {index} {student}/{path.name} : {console_line(graded, reused)}", flush=True)
    return graded


def saved_results(out: pathlib.Path) -> list:
    """Every hand-in graded into OUT so far (its graded.json), in the class's order; exits when there is none."""
    results = [Graded(**json.loads(path.read_text(encoding="utf-8"))) for path in (out / ".travail").glob("*/*/graded.json")]
    if not results:
        raise SystemExit(f"{out} ne contient aucun rendu corrigé (lancez d'abord npm run grade -- RENDUS --out {out})")
    return sorted(results, key=lambda g: (g.student, g.notebook))


def merge(out: pathlib.Path) -> None:
    """Writes the class's files from the hand-ins graded into OUT (by tasks, or an earlier run)."""
    results = saved_results(out)
    write_class_files(out, results)
    print(f"[correction] {len(results)} rendus réunis dans {out / 'grades.csv'} et {out / 'notes-moodle.csv'}")


def merge_points(out: pathlib.Path) -> None:
    """Rewrites OUT/grades.csv with the points entered in OUT/points-manuels.csv, without grading again."""
    write_grades(out, saved_results(out))
    print(f"[correction] points de {out / MANUAL_POINTS} fusionnés dans {out / 'grades.csv'}")
