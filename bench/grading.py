"""Hand-ins graded per minute with --jobs 1 and --jobs 2, side by side in one run on this machine.

A class of STUDENTS students, each handing in the three solution notebooks, is graded twice into two
output folders (everything graded afresh each time); prints the time and the rate of each setting and
their ratio.

  npm run bench:grading [-- --students N]
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.french_argparse import FrenchArgumentParser  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


def main() -> int:
    parser = FrenchArgumentParser(prog="npm run bench:grading --")
    parser.add_argument("--students", type=int, default=4)
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="tp5-bench-grading-"))
    for student in range(args.students):
        folder = work / "rendus" / f"etudiant-{student + 1:02d}"
        folder.mkdir(parents=True)
        for notebook in NOTEBOOKS:
            shutil.copyfile(notebook, folder / notebook.name)
    count = args.students * len(NOTEBOOKS)
    rates = {}
    for jobs in (1, 2):
        started = time.time()
        result = subprocess.run([sys.executable, "-m", "grader", "grade", str(work / "rendus"), "--out",
                                 str(work / f"notes-{jobs}"), "--jobs", str(jobs), "--force"],
                                cwd=ROOT, capture_output=True, text=True)
        seconds = time.time() - started
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
            return 1
        rates[jobs] = count / seconds * 60
        print(f"--jobs {jobs}: {count} hand-ins in {seconds:.0f} s, {rates[jobs]:.1f} hand-ins per minute", flush=True)
    print(f"--jobs 2 / --jobs 1: {rates[2] / rates[1]:.2f}")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
