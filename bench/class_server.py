"""Capacity of a class server, measured (npm run bench:hub): a hub on this machine, N simulated students
logged in through its pages and REST API, each running notebook 01 (the solution, quick mode) in their
own server at the same time, cell by cell, as a student does. For N = 1, 2, 4 (--students), it prints
per student: the wall time of the notebook, the processor time it used (its control group's), its peak
memory (the control group's peak, which the per-student bound limits, and the resident memory sampled
twice a second), how long the first cell (the library and its backend) took to answer, and how long the
server took to start. Then the figures the README's capacity rule uses. --full runs the notebook as a
class does (the full data and epochs).

    npm run bench:hub [-- --students 1,2,4] [--full] [--memory-gb 3] [--cpus 1] [--json FILE]
"""
import argparse
import json
import os
import pathlib
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.layout import ClassFolder  # noqa: E402
from common.french_argparse import FrenchArgumentParser  # noqa: E402
from tools.remote import Person, read_codes, wait_for_hub  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
NOTEBOOK = ROOT / "notebooks" / "01-auto-encodeurs-denses.ipynb"
CGROUPS = pathlib.Path("/sys/fs/cgroup")


def group_file(group: str, controller: str, file: str) -> pathlib.Path:
    return CGROUPS / controller / group / file


def read_int(path: pathlib.Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def resident_bytes(group: str) -> int:
    """Anonymous and mapped memory of the person's group (memory.stat), without the page cache."""
    try:
        stat = dict(line.split() for line in group_file(group, "memory", "memory.stat").read_text().splitlines())
    except OSError:
        return 0
    return int(stat.get("total_rss", 0)) + int(stat.get("total_mapped_file", 0))


def code_cells(full: bool) -> list[str]:
    """The notebook's code cells, after one that chooses the mode (what a class runs is the full mode)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    mode = 'delete process.env.TP5_QUICK;' if full else 'process.env.TP5_QUICK = "1";'
    return [mode] + [c.source for c in notebook.cells if c.cell_type == "code"]


class StudentRun:
    """One simulated student: their server started, notebook 01 run cell by cell, their figures."""

    def __init__(self, hub: str, index: int, folder: ClassFolder, codes: dict[str, str]):
        name = f"bench-{index:02d}"
        self.person = Person(hub, name, f"mot-de-passe-bench-{index:02d}", codes[name])
        self.group = folder.group(name)
        self.figures: dict[str, float] = {}
        self.error = ""

    def prepare(self) -> None:
        self.person.sign_up()
        self.person.log_in()

    def start(self) -> None:
        self.figures["server_start_s"] = self.person.start_server()

    def run_notebook(self, cells: list[str]) -> None:
        name = self.group
        group_file(name, "memory", "memory.max_usage_in_bytes").write_text("0")
        cpu_before = read_int(group_file(name, "cpuacct", "cpuacct.usage"))
        peak_resident, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                peak_resident[0] = max(peak_resident[0], resident_bytes(name))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        try:
            server = self.person.jupyter
            kernel = server.start_kernel()
            server.run(kernel, cells[0], timeout=120)
            for index, source in enumerate(cells[1:]):
                result = server.run(kernel, source, timeout=900)
                if index == 0:
                    self.figures["first_cell_s"] = result.seconds
                if result.error:
                    self.error = f"cellule {index + 1} : {result.error}"
                    break
        except Exception as error:  # a failed run is reported, the others go on
            self.error = f"{type(error).__name__}: {error}"
        finally:
            done.set()
            sampler.join()
        self.figures.update(
            notebook_s=time.monotonic() - started,
            cpu_s=(read_int(group_file(name, "cpuacct", "cpuacct.usage")) - cpu_before) / 1e9,
            peak_group_bytes=read_int(group_file(name, "memory", "memory.max_usage_in_bytes")),
            peak_resident_bytes=peak_resident[0],
        )

    def stop(self) -> None:
        self.person.stop_server()


def in_parallel(action: Callable[[StudentRun], None], runs: list[StudentRun]) -> None:
    threads = [threading.Thread(target=action, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_hub(folder: pathlib.Path, count: int, args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """The hub, its address, and the students' first-login codes."""
    roster = folder / "liste.csv"
    roster.write_text("identifiant,nom,email\n" + "".join(
        f"bench-{i:02d},Étudiant {i},bench{i:02d}@univ.example\n" for i in range(1, count + 1)), encoding="utf-8")
    classe = folder / "classe"
    for command in (["release"], ["roster", str(roster)], ["codes", "--out", str(folder / "codes")]):
        subprocess.run([PYTHON, "-m", "hub", *command, "--folder", str(classe)], cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    log = open(folder / "hub.log", "w")
    hub = subprocess.Popen([PYTHON, "-m", "hub", "serve", str(roster), "--folder", str(classe), "--port", str(port),
                            "--ip", "127.0.0.1", "--cpus", str(args.cpus), "--memory-gb", str(args.memory_gb)],
                           cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for_hub(url)
    return hub, url, read_codes(folder / "codes" / "codes.csv")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summary(count: int, runs: list[StudentRun]) -> dict[str, Any]:
    figures = [r.figures for r in runs]
    return {
        "students": count,
        "errors": [f"{r.person.name}: {r.error}" for r in runs if r.error],
        "notebook_s": [f["notebook_s"] for f in figures],
        "cpu_s": [f["cpu_s"] for f in figures],
        "peak_group_mib": [f["peak_group_bytes"] / 1024 ** 2 for f in figures],
        "peak_resident_mib": [f["peak_resident_bytes"] / 1024 ** 2 for f in figures],
        "first_cell_s": [f.get("first_cell_s", float("nan")) for f in figures],
        "server_start_s": [f["server_start_s"] for f in figures],
    }


def print_row(row: dict[str, Any]) -> None:
    def spread(values: list[float], digits: int = 0) -> str:
        return f"{median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"
    print(f"| {row['students']} | {spread(row['notebook_s'])} | {spread(row['cpu_s'])} | {spread(row['peak_resident_mib'])} "
          f"| {spread(row['peak_group_mib'])} | {spread(row['first_cell_s'], 1)} | {spread(row['server_start_s'], 1)} |", flush=True)
    for error in row["errors"]:
        print(f"  ÉCHEC {error}", flush=True)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.machine())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    return f"{os.cpu_count()} cœurs ({model}), {memory:.0f} Gio"


def main() -> int:
    parser = FrenchArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", default="1,2,4", help="les nombres d'étudiants à la fois (1,2,4 par défaut)")
    parser.add_argument("--cpus", type=float, default=1.0, help="cœurs par étudiant (la borne du serveur)")
    parser.add_argument("--memory-gb", type=float, default=3.0, help="mémoire par étudiant (la borne du serveur)")
    parser.add_argument("--full", action="store_true", help="le carnet en mode complet, comme en classe (mode rapide par défaut)")
    parser.add_argument("--json", type=pathlib.Path, help="écrire aussi les mesures en JSON")
    args = parser.parse_args()
    counts = [int(n) for n in args.students.split(",")]
    folder = pathlib.Path(tempfile.mkdtemp(prefix="tp5-bench-hub-"))
    hub, url, codes = start_hub(folder, max(counts), args)
    cells = code_cells(args.full)
    rows = []
    try:
        mode = "complet" if args.full else "rapide"
        print(f"Machine : {machine()} ; par étudiant : {args.cpus:g} cœur(s), {args.memory_gb:g} Gio ; carnet 01 (solution, mode {mode})")
        print("| étudiants à la fois | carnet (s) | processeur (s CPU) | mémoire résidente max (Mio) | mémoire du groupe max (Mio) "
              "| première cellule (s) | démarrage du serveur (s) |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        students = [StudentRun(url, i, ClassFolder(folder / "classe"), codes) for i in range(1, max(counts) + 1)]
        in_parallel(StudentRun.prepare, students)
        for count in counts:
            runs = students[:count]
            in_parallel(StudentRun.start, runs)
            in_parallel(lambda run: run.run_notebook(cells), runs)
            in_parallel(StudentRun.stop, runs)
            rows.append(summary(count, runs))
            print_row(rows[-1])
    finally:
        hub.terminate()
        hub.wait(timeout=120)
        for i in range(1, max(counts) + 1):
            subprocess.run(["userdel", f"tp5-bench-{i:02d}"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    print("(médiane, et de la plus petite à la plus grande valeur entre étudiants)")
    alone = rows[0]
    cores_alone = median(alone["cpu_s"]) / median(alone["notebook_s"])
    print(f"Seul, un étudiant occupe {cores_alone:.2f} cœur en moyenne pendant son carnet ; "
          f"mémoire résidente max {median(alone['peak_resident_mib']):,.0f} Mio.")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "full": args.full, "bounds": {"cpus": args.cpus, "memory_gb": args.memory_gb},
                                         "rows": rows}, indent=2), encoding="utf-8")
    return 1 if any(row["errors"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
