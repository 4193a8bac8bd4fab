"""Les outils du TP pour les carnets (avec le python du .venv du projet : python -m grader ...).

  run [--quick] [--keep-going] [--output-dir DOSSIER] [--html DOSSIER] CARNET...
      Exécute chaque carnet dans un noyau tslab neuf (dossier de travail : celui du carnet) et l'écrit
      avec ses sorties, en place ou dans --output-dir ; s'arrête à la première cellule en erreur, sauf
      avec --keep-going (toutes les cellules tournent, le carnet est écrit avec ses erreurs, code de
      sortie 1). --quick pose TP5_QUICK=1 (données réduites, trois époques au plus). --html écrit aussi
      DOSSIER/NOM.html.
  student [--output-dir DOSSIER] CARNET...
      Écrit le kit étudiant : les versions étudiantes (chaque région entre « // BEGIN SOLUTION <question> »
      et « // END SOLUTION » devient un appel lab.todo("<question>"), chaque réponse rédigée une cellule
      « Votre réponse : » vide, sorties effacées) et le guide LISEZ-MOI.md. N'écrit rien si une ligne
      d'une réponse se trouve encore ailleurs dans les versions étudiantes.
  handin CARNET [--name NOM] [--output-dir DOSSIER]
      Écrit une page HTML autonome du carnet rendu (figures incluses, aucun script externe) et un PDF
      quand le chromium de Debian est là.
  grade RENDUS [--out SORTIE] [--jobs N] [--force] [--cell-timeout S] [--notebook-timeout S] [--memory-gb G] [--unsafe]
  grade RENDUS --list | grade RENDUS --task I [--slot K] [--out SORTIE] | grade --merge [--out SORTIE]
  grade --points-only [--out SORTIE]
      Corrige un dossier de classe RENDUS/<étudiant>/<carnet>.ipynb, N rendus à la fois (par défaut : ce
      que permettent les cœurs et la mémoire) : chaque rendu tourne dans un bac à sable sans privilège
      (refusé là où aucun ne peut tourner, sauf --unsafe), ses réponses sont jugées par un processus à
      part ; un rendu déjà corrigé avec le même contenu et la même version du correcteur est sauté
      (--force le corrige de nouveau). Écrit SORTIE/grades.csv, SORTIE/notes-moodle.csv,
      SORTIE/feedback/<étudiant>/<carnet>.html, SORTIE/reponses-redigees.html et SORTIE/points-manuels.csv
      (les points des réponses rédigées, à remplir par l'enseignant ; --points-only les reporte dans
      grades.csv). --list numérote les rendus ; --task I corrige le rendu n° I seul (une tâche d'un
      tableau de tâches ; --slot K : sa place parmi les tâches parallèles de la machine), puis --merge
      écrit les fichiers de la classe.
  nbgrader CARNET... [--course DOSSIER]
      Prépare un dossier de cours nbgrader (build/nbgrader par défaut) : source/tp5/ avec les carnets et
      les métadonnées de cellule de nbgrader, et nbgrader_config.py (emplacements des réponses, correction
      automatique des carnets tslab).
  check CARNET... [--timeout S]
      Ré-exécute chaque carnet dans un noyau neuf (mode rapide), sans jamais se fier à ses sorties
      enregistrées, ses cellules de vérification remises comme dans les solutions, et affiche le verdict
      de chaque question et l'état des réponses rédigées. Code de sortie 1 quand une question manque ou
      est fausse.
"""
import argparse
import os
import pathlib
import shutil
import sys
import time

import nbformat

import sandbox
from common import conventions
from common.french_argparse import FrenchArgumentParser
from common.pdf import print_pdf

from . import check as checker
from . import grading
from .cpu_times import cpu_report
from .execute import NotebookFailed, execute, write_atomically
from .export import to_html
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
        print(cpu_report(path.name, notebook, execution.cpu_seconds, time.time() - started), flush=True)
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
    empty = conventions.empty_written(notebook)
    if empty:
        print(f"[rendu] attention : réponses rédigées vides (questions {', '.join(empty)}) : écrivez-les après "
              "« Votre réponse : » puis refaites le rendu")
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
    limits = grading.Limits(memory_bytes=int(args.memory_gb * 1024 ** 3))
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
    parser = FrenchArgumentParser(prog="python -m grader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    run = sub.add_parser("run", help="exécuter des carnets et les écrire avec leurs sorties")
    run.add_argument("notebooks", nargs="+", type=pathlib.Path, metavar="CARNET")
    run.add_argument("--quick", action="store_true", help="TP5_QUICK=1 : données réduites, trois époques au plus")
    run.add_argument("--output-dir", type=pathlib.Path, help="écrire les carnets exécutés ici plutôt qu'en place")
    run.add_argument("--html", type=pathlib.Path, metavar="DIR", help="exporter aussi chaque carnet en DIR/NOM.html")
    run.add_argument("--timeout", metavar="S", type=int, default=1200, help="secondes permises par cellule (1200 par défaut)")
    run.add_argument("--keep-going", action="store_true",
                     help="exécuter toutes les cellules même après une erreur, écrire le carnet avec ses erreurs (code de sortie 1)")
    student = sub.add_parser("student", help="écrire le kit étudiant")
    student.add_argument("notebooks", nargs="+", type=pathlib.Path, metavar="CARNET")
    student.add_argument("--output-dir", type=pathlib.Path, default=pathlib.Path("build/student"), metavar="DOSSIER",
                         help="où écrire le kit (build/student par défaut)")
    handin = sub.add_parser("handin", help="exporter un carnet rendu en HTML et en PDF")
    handin.add_argument("notebook", type=pathlib.Path, metavar="CARNET")
    handin.add_argument("--name", default="", help="le nom de l'étudiant, affiché en tête")
    handin.add_argument("--output-dir", type=pathlib.Path, default=pathlib.Path("build/handin"), metavar="DOSSIER",
                        help="où écrire la page et le PDF (build/handin par défaut)")
    check = sub.add_parser("check", help="ré-exécuter des carnets rendus et dire le verdict de chaque question")
    check.add_argument("notebooks", nargs="+", type=pathlib.Path, metavar="CARNET")
    check.add_argument("--timeout", metavar="S", type=int, default=300, help="secondes permises par cellule (300 par défaut)")
    grade = sub.add_parser("grade", help="corriger un dossier de classe RENDUS/<étudiant>/<carnet>.ipynb dans des bacs à sable")
    grade.add_argument("handins", type=pathlib.Path, nargs="?", metavar="RENDUS",
                       help="le dossier de la classe : RENDUS/<étudiant>/<carnet>.ipynb")
    grade.add_argument("--points-only", action="store_true",
                       help="seulement reporter SORTIE/points-manuels.csv dans SORTIE/grades.csv (sans corriger)")
    grade.add_argument("--out", type=pathlib.Path, default=pathlib.Path("build/grades"), metavar="SORTIE",
                       help="le dossier des résultats : grades.csv, notes-moodle.csv, les pages de retour (build/grades par défaut)")
    grade.add_argument("--cell-timeout", metavar="S", type=int, default=120, help="secondes permises par cellule (120 par défaut)")
    grade.add_argument("--notebook-timeout", metavar="S", type=int, default=900, help="secondes permises par carnet (900 par défaut)")
    grade.add_argument("--memory-gb", metavar="GIO", type=float, default=6,
                       help="mémoire de l'exécution d'un rendu, en Gio : espace d'adressage par processus et total de l'exécution (6 par défaut)")
    grade.add_argument("--jobs", metavar="N", type=int, default=0, help="rendus corrigés à la fois (par défaut : ce que permettent les cœurs et la mémoire)")
    grade.add_argument("--force", action="store_true", help="corriger de nouveau les rendus déjà corrigés au même contenu")
    grade.add_argument("--list", action="store_true", help="numéroter les rendus (pour --task)")
    grade.add_argument("--task", metavar="I", type=int, help="corriger le rendu n° I seul (une tâche d'un tableau de tâches)")
    grade.add_argument("--slot", metavar="N", type=int, default=0, help="avec --task : la place de la tâche parmi les tâches parallèles de la machine (0, 1, …)")
    grade.add_argument("--merge", action="store_true", help="écrire les fichiers de la classe à partir des rendus corrigés dans SORTIE")
    grade.add_argument("--unsafe", action="store_true", help="exécuter les rendus sans bac à sable (là où aucun ne peut tourner)")
    course = sub.add_parser("nbgrader", help="préparer un dossier de cours nbgrader (carnets sources avec les métadonnées de nbgrader, configuration)")
    course.add_argument("notebooks", nargs="+", type=pathlib.Path, metavar="CARNET")
    course.add_argument("--course", type=pathlib.Path, default=pathlib.Path("build/nbgrader"), metavar="DOSSIER",
                        help="le dossier du cours nbgrader (build/nbgrader par défaut)")
    args = parser.parse_args()
    return {"run": command_run, "student": command_student, "handin": command_handin, "check": command_check,
            "grade": command_grade, "nbgrader": command_nbgrader}[args.command](args)
