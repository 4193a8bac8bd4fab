"""A class's hand-ins graded: each one through the pipeline (pipeline.py) `jobs` at a time, each sandbox
on its own cores, one that fails, loops or crashes never stopping the class; its result and feedback
page saved; then the class's files (class_files.py). A hand-in can also be graded as a task of its own
(--task, for a scheduler's job array), the results gathered afterwards by --merge."""
import dataclasses
import os
import pathlib
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from ..execute import write_text_atomically
from .cache import SAVED, previous_result, read_result, save_result
from .class_files import MANUAL_POINTS, write_class_files, write_grades
from .console import console_line, duration
from .feedback_page import feedback_page
from .handin import Places
from .options import Options
from .pipeline import grade_one
from .records import Graded, Note, one_line
from .sandboxing import Limits


def handins(folder: pathlib.Path) -> list[tuple[str, pathlib.Path]]:
    """(student, notebook path) for HANDINS/<student>/<notebook>.ipynb, or nbgrader's
    submitted/<student>/<assignment>/<notebook>.ipynb, in order."""
    found: list[tuple[str, pathlib.Path]] = []
    for student in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebooks = sorted(student.glob("*.ipynb")) or sorted(student.glob("*/*.ipynb"))
        found.extend((student.name, notebook) for notebook in notebooks)
    return found


def safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "sans-nom"


def work_folder(out: pathlib.Path, student: str, path: pathlib.Path) -> pathlib.Path:
    return out / ".travail" / safe_name(student) / safe_name(path.stem)


def grade_and_save(student: str, path: pathlib.Path, out: pathlib.Path, options: Options, slot: int) -> tuple[Graded, bool]:
    """A hand-in graded (or its earlier result reused: same content, same grader, no --force), its result
    and feedback page saved; an unreadable hand-in is graded 0 with the reason. Returns the result and
    whether it was reused."""
    work = work_folder(out, student, path)
    previous = None if options.force else previous_result(path, work)
    if previous is not None:
        return previous, True
    try:
        graded = grade_one(student, path, work, options, slot)
    except Exception as error:  # one broken hand-in never stops the class
        graded = Graded(student, path.name, 0, notes=[Note("unreadable", f"rendu illisible : {one_line(str(error)) or type(error).__name__}")])
    save_result(graded, work)
    page = out / "feedback" / safe_name(student) / f"{safe_name(path.stem)}.html"
    write_text_atomically(feedback_page(graded, Places(work, options.sandboxed, slot).results / "executed.ipynb"), page)
    return graded, False


def core_shares(jobs: int) -> list[tuple[int, ...] | None]:
    """The cores of each parallel slot: the machine's cores dealt out evenly (None: one slot, every core)."""
    cores = sorted(os.sched_getaffinity(0))
    if jobs <= 1:
        return [None]
    per_slot = max(1, len(cores) // jobs)
    return [tuple(cores[(slot * per_slot + i) % len(cores)] for i in range(per_slot)) for slot in range(jobs)]


def default_jobs(limits: Limits) -> int:
    """As many hand-ins at once as the cores allow, and the memory (each sandbox's bound)."""
    cores = len(os.sched_getaffinity(0))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(1, min(cores, memory // (limits.memory_bytes + limits.tmp_bytes)))


def grade(folder: pathlib.Path, out: pathlib.Path, options: Options) -> list[Graded]:
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

    def task(student: str, path: pathlib.Path) -> tuple[Graded, bool]:
        with lock:
            slot = free_slots.pop()
        try:
            limits = dataclasses.replace(options.limits, cores=shares[slot])
            return grade_and_save(student, path, out, dataclasses.replace(options, limits=limits), slot)
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


def grade_task(folder: pathlib.Path, out: pathlib.Path, index: int, options: Options, slot: int) -> Graded:
    """Grades the hand-in number `index` (from 0, in the order of --list) alone: one task of a job array."""
    found = handins(folder)
    if not 0 <= index < len(found):
        raise SystemExit(f"--task {index} : la classe compte {len(found)} rendus, numérotés de 0 à {len(found) - 1}")
    student, path = found[index]
    graded, reused = grade_and_save(student, path, out, options, slot)
    print(f"[correction] {index} {student}/{path.name} : {console_line(graded, reused)}", flush=True)
    return graded


def saved_results(out: pathlib.Path) -> list[Graded]:
    """Every hand-in graded into OUT so far (its graded.json), in the class's order; exits when there is none."""
    results = [read_result(path.parent) for path in (out / ".travail").glob(f"*/*/{SAVED}")]
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
