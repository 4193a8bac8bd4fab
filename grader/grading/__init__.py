"""Grading a class: HANDINS/<student>/<notebook>.ipynb → OUT/grades.csv, OUT/notes-moodle.csv,
OUT/feedback/<student>/<notebook>.html, OUT/reponses-redigees.html and OUT/points-manuels.csv.

The door of this package is below; inside, each concern has its module:
  options.py        how a class is graded (one object)
  sandboxing.py     what a hand-in's run and its judge get of the sandbox (sandbox/)
  records.py        verdicts, points, notes and a hand-in's result, as typed records
  pipeline.py       one hand-in's steps, in order (prepare.py, run.py, judge.py, hints.py)
  cache.py          a result kept for the same content and grader
  feedback_page.py  console.py  class_files.py   what the teacher and the students read
  classroom.py      a class graded `jobs` at a time, a task of a job array, the merge
"""
from .classroom import default_jobs, grade, grade_task, handins, merge, merge_points
from .options import Options
from .sandboxing import Limits

__all__ = ["Limits", "Options", "default_jobs", "grade", "grade_task", "handins", "merge", "merge_points"]
