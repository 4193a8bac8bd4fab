"""The lab's notebook tools (run with the project's .venv python: python -m scripts.tp5nb ...).

  run [--quick] [--keep-going] [--output-dir DIR] [--html DIR] NOTEBOOK...
      Executes each notebook in a fresh tslab kernel (working directory: the notebook's folder) and
      writes it back with its outputs, in place or into --output-dir; stops at the first failing cell,
      unless --keep-going (every cell runs, the notebook is written with its errors, exit code 1).
      --quick sets TP5_QUICK=1 (small data, one epoch). --html also writes DIR/NAME.html.
  student [--output-dir DIR] NOTEBOOK...
      Writes the student kit: the student versions (each region between "// BEGIN SOLUTION <question>"
      and "// END SOLUTION" becomes a lab.todo("<question>") stub, each model answer an empty
      "Votre réponse :" cell, outputs cleared) and the French guide LISEZ-MOI.md. Refuses to write
      anything when a line of an answer would still stand elsewhere in the student versions.
  handin NOTEBOOK [--name NAME] [--output-dir DIR]
      Writes a self-contained HTML page of the notebook as handed in (figures included, no external
      script) and a PDF when Debian's chromium is there.
  grade HANDINS [--out OUT] [--jobs N] [--force] [--cell-timeout S] [--notebook-timeout S] [--memory-gb G] [--unsafe]
  grade HANDINS --list | grade HANDINS --task I [--slot K] [--out OUT] | grade --merge [--out OUT]
  grade --points-only [--out OUT]
      Grades a class folder HANDINS/<student>/<notebook>.ipynb, N hand-ins at a time (default: what the
      cores and memory allow): each hand-in runs in a sandbox without privilege (refused where none can
      run, unless --unsafe), its answers are judged by a separate process; a hand-in already graded with
      the same content and grader version is skipped (--force grades it again). Writes OUT/grades.csv,
      OUT/notes-moodle.csv, OUT/feedback/<student>/<notebook>.html, OUT/reponses-redigees.html and
      OUT/points-manuels.csv (the written answers' points, for the teacher to fill in; --points-only
      merges them into grades.csv). --list numbers the hand-ins; --task I grades number I alone (one
      task of a job array; --slot K: its parallel slot on this machine), --merge then writes the class's files.
  nbgrader NOTEBOOK... [--course DIR]
      Lays out an nbgrader course folder (default build/nbgrader): source/tp5/ with the notebooks and
      nbgrader's cell metadata, and nbgrader_config.py (stubs, and autograding of tslab notebooks).
  check NOTEBOOK... [--timeout S]
      Re-executes each notebook in a fresh kernel (quick mode), never trusting its saved outputs, with
      its check cells put back as the solutions have them, and prints each question's verdict and the
      state of the written answers. Exit code 1 when a question is missing or wrong.
"""
import argparse
import os
import pathlib
import shutil
import sys
import time

import nbformat

from . import check as checker
from . import grade as grading
from . import sandbox
from .execute import NotebookFailed, execute, write_atomically
from .export import print_pdf, to_html
from .student import GUIDE, MarkerError, leaks, student_version


def existing(paths):
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"carnet introuvable : {', '.join(missing)}")
    return paths


def command_run(args) -> int:
    status = 0
    for path in existing(args.notebooks):
        started = time.time()
        print(f"[carnets] exécution de {path} (mode {'rapide' if args.quick else 'complet'})", flush=True)
        notebook = nbformat.read(path, as_version=4)
        try:
            execution = execute(notebook, path.resolve().parent, args.timeout, allow_errors=args.keep_going, quick=args.quick)
        except NotebookFailed as error:
            print(f"[carnets] ÉCHEC {path.name} : {error}", file=sys.stderr)
            return 1
        for error in execution.errors:
            print(f"[carnets] ÉCHEC {path.name} : cellule {error.index} : {error.message.splitlines()[0] if error.message else error.name}",
                  file=sys.stderr)
            status = 1
        target = (args.output_dir / path.name) if args.output_dir else path
        write_atomically(notebook, target)
        print(f"[carnets] écrit : {target} en {time.time() - started:.0f} s", flush=True)
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            page = args.html / (path.stem + ".html")
            page.write_text(to_html(notebook, path.stem), encoding="utf-8")
            print(f"[carnets] écrit : {page}", flush=True)
    return status


def command_student(args) -> int:
    students, counts, removed = {}, {}, []
    for path in existing(args.notebooks):
        try:
            notebook, regions, written, answers = student_version(nbformat.read(path, as_version=4), path.name)
        except MarkerError as error:
            print(f"[kit étudiant] {error}", file=sys.stderr)
            return 1
        students[path.name], counts[path.name] = notebook, (regions, written)
        removed.extend(answers)
    found = leaks(students, removed)
    if found:
        print("[kit étudiant] des lignes de réponse restent dans les versions étudiantes ; rien n'est écrit :", file=sys.stderr)
        for place in found:
            print(f"  {place}", file=sys.stderr)
        return 1
    for name, notebook in students.items():
        target = args.output_dir / name
        write_atomically(notebook, target)
        regions, written = counts[name]
        print(f"[kit étudiant] écrit : {target} ({regions} réponses à compléter, {written} réponses rédigées)")
    guide = args.output_dir / "LISEZ-MOI.md"
    shutil.copyfile(GUIDE, guide)
    print(f"[kit étudiant] écrit : {guide}")
    return 0


def command_handin(args) -> int:
    path = existing([args.notebook])[0]
    notebook = nbformat.read(path, as_version=4)
    suffix = "-" + "".join(c if c.isalnum() else "-" for c in args.name).strip("-") if args.name else ""
    args.output_dir.mkdir(parents=True, exist_ok=True)
    page = args.output_dir / f"{path.stem}{suffix}.html"
    page.write_text(to_html(notebook, path.stem, args.name or ""), encoding="utf-8")
    print(f"[rendu] page écrite : {page} (autonome : figures incluses, aucun script externe)")
    pdf = page.with_suffix(".pdf")
    why_not = print_pdf(page, pdf)
    if why_not:
        print(f"[rendu] pas de PDF : {why_not}")
    else:
        print(f"[rendu] PDF écrit : {pdf}")
    return 0


def command_check(args) -> int:
    # TensorFlow's start-up lines (in English, on the kernel's stderr) are not for the student.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    status = 0
    for path in existing(args.notebooks):
        try:
            report = checker.check(path, args.timeout)
        except (NotebookFailed, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            status = 1
            continue
        print(checker.format_report(path, report), flush=True)
        if not report.ok:
            status = 1
    return status


def command_grade(args) -> int:
    if args.points_only:
        grading.merge_points(args.out)
        return 0
    if args.merge:
        grading.merge(args.out)
        return 0
    if args.handins is None:
        raise SystemExit("grade : indiquez le dossier des rendus (RENDUS/<étudiant>/<carnet>.ipynb)")
    if not args.handins.is_dir():
        raise SystemExit(f"{args.handins} n'est pas un dossier de rendus ({args.handins}/<étudiant>/<carnet>.ipynb)")
    if args.list:
        found = grading.handins(args.handins)
        for index, (student, path) in enumerate(found):
            print(f"{index}\t{student}/{path.name}")
        print(f"[correction] {len(found)} rendus, numérotés de 0 à {len(found) - 1} (--task I)", file=sys.stderr)
        return 0
    limits = sandbox.Limits(memory_bytes=int(args.memory_gb * 1024 ** 3))
    jobs = args.jobs or grading.default_jobs(limits)
    if jobs < 1:
        raise SystemExit(f"--jobs {jobs} : il faut au moins 1 rendu à la fois")
    options = grading.Options(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout, limits=limits,
                              sandboxed=not args.unsafe, jobs=jobs, force=args.force)
    if not args.unsafe:
        why = sandbox.unavailable()
        if why:
            print(f"[correction] refus : {why}. Sans bac à sable, un rendu s'exécuterait avec vos droits ; "
                  "--unsafe passe outre, à vos risques.", file=sys.stderr)
            return 2
    if args.task is not None:
        graded = grading.grade_task(args.handins, args.out, args.task, options, args.slot)
        return 0 if graded.verdicts else 1
    results = grading.grade(args.handins, args.out, options)
    return 0 if all(r.verdicts for r in results) else 1


def command_nbgrader(args) -> int:
    from . import nbgrader_support  # nbgrader is imported only by this command
    for path in nbgrader_support.course(args.course.resolve(), existing(args.notebooks)):
        print(f"[nbgrader] écrit : {path}")
    print(f"[nbgrader] écrit : {args.course / 'nbgrader_config.py'} ; ensuite : cd {args.course} && "
          f"../../.venv/bin/nbgrader generate_assignment {nbgrader_support.ASSIGNMENT}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.tp5nb", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks and write them back with their outputs")
    run.add_argument("notebooks", nargs="+", type=pathlib.Path)
    run.add_argument("--quick", action="store_true", help="TP5_QUICK=1: small data, one epoch")
    run.add_argument("--output-dir", type=pathlib.Path, help="write executed notebooks here instead of in place")
    run.add_argument("--html", type=pathlib.Path, metavar="DIR", help="also export each notebook to DIR/NAME.html")
    run.add_argument("--timeout", type=int, default=1200, help="seconds allowed per cell (default 1200)")
    run.add_argument("--keep-going", action="store_true",
                     help="run every cell even after one fails, write the notebook with its errors (exit code 1)")
    student = sub.add_parser("student", help="write student versions")
    student.add_argument("notebooks", nargs="+", type=pathlib.Path)
    student.add_argument("--output-dir", type=pathlib.Path, default=pathlib.Path("build/student"))
    handin = sub.add_parser("handin", help="export a handed-in notebook to HTML and PDF")
    handin.add_argument("notebook", type=pathlib.Path)
    handin.add_argument("--name", default="", help="the student's name, shown at the top")
    handin.add_argument("--output-dir", type=pathlib.Path, default=pathlib.Path("build/handin"))
    check = sub.add_parser("check", help="re-execute and grade handed-in notebooks")
    check.add_argument("notebooks", nargs="+", type=pathlib.Path)
    check.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    grade = sub.add_parser("grade", help="grade a class folder HANDINS/<student>/<notebook>.ipynb in sandboxes")
    grade.add_argument("handins", type=pathlib.Path, nargs="?")
    grade.add_argument("--points-only", action="store_true",
                       help="only merge OUT/points-manuels.csv into OUT/grades.csv (no grading)")
    grade.add_argument("--out", type=pathlib.Path, default=pathlib.Path("build/grades"))
    grade.add_argument("--cell-timeout", type=int, default=120, help="seconds allowed per cell (default 120)")
    grade.add_argument("--notebook-timeout", type=int, default=900, help="seconds allowed per notebook (default 900)")
    grade.add_argument("--memory-gb", type=float, default=6,
                       help="memory of a hand-in's run, in GiB: address space per process and the run's total (default 6)")
    grade.add_argument("--jobs", type=int, default=0, help="hand-ins graded at once (default: what the cores and memory allow)")
    grade.add_argument("--force", action="store_true", help="grade again hand-ins already graded with the same content")
    grade.add_argument("--list", action="store_true", help="number the hand-ins (for --task)")
    grade.add_argument("--task", type=int, help="grade hand-in number I alone (a task of a job array)")
    grade.add_argument("--slot", type=int, default=0, help="with --task: the task's parallel slot on this machine (0, 1, …)")
    grade.add_argument("--merge", action="store_true", help="write the class's files from the hand-ins graded into OUT")
    grade.add_argument("--unsafe", action="store_true", help="run hand-ins without a sandbox (where none can run)")
    course = sub.add_parser("nbgrader", help="lay out an nbgrader course folder (source notebooks with nbgrader metadata, config)")
    course.add_argument("notebooks", nargs="+", type=pathlib.Path)
    course.add_argument("--course", type=pathlib.Path, default=pathlib.Path("build/nbgrader"))
    args = parser.parse_args()
    return {"run": command_run, "student": command_student, "handin": command_handin, "check": command_check,
            "grade": command_grade, "nbgrader": command_nbgrader}[args.command](args)
