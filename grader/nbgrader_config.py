# nbgrader's configuration for the TP5 lab (TypeScript notebooks, tslab kernel), copied into the
# course folder by `npm run nbgrader`. See README, "With nbgrader".
import os
import pathlib
import sys

c = get_config()  # noqa: F821 (nbgrader defines it)

# The project (this folder lies inside it): its scripts, and quick runs when grading.
PROJECT = next(p for p in pathlib.Path(__file__).resolve().parents if (p / "package.json").exists())
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("TP5_QUICK", "1")
from common.conventions import WRITTEN  # noqa: E402

c.CourseDirectory.course_id = "tp5-auto-encodeurs"
# Student versions: each answer region becomes a stub that stops the notebook with a French message;
# each written answer an empty "Votre réponse :".
c.ClearSolutions.code_stub = {"typescript": "// À compléter\nlab.todo();"}
c.ClearSolutions.text_stub = WRITTEN + " "
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"

# Autograding: nbgrader 0.9.6's own list of steps, with TslabExecute in place of its Execute (tslab's
# error replies make Execute fail).
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades  # noqa: E402
from grader.nbgrader_support import TslabExecute  # noqa: E402

c.Autograde.autograde_preprocessors = [
    TslabExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
c.Execute.timeout = 300
c.Execute.kernel_name = "tslab"
