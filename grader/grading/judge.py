"""The judge's verdicts on the exported answers: lib/coursework/judge.ts, in a sandbox of its own with
none of the hand-in's code. Its verdicts come back on a pipe it alone writes: what the hand-in's own
kernel printed is never taken as a verdict."""
import json
import pathlib

import sandbox
from common.paths import ROOT

from ..lab_notebook import questions_of
from . import sandboxing
from .handin import HandIn
from .records import Point, Verdict

JUDGE = ROOT / "build" / "grader" / "judge.js"
#: Seconds the judge may take over one hand-in.
JUDGE_SECONDS = 600


def judge_answers(handin: HandIn) -> None:
    """One verdict per question of the part, in the TP's order; a question the judge did not answer fails
    (« non jugée »). The judge's notes (its suspicions) go to the hand-in's notes."""
    places, options = handin.places, handin.options
    answers = places.results / "answers"
    answers.mkdir(parents=True, exist_ok=True)
    seen = sandboxing.INPUTS if options.sandboxed else answers
    log = places.work / "judge.log"
    outcome = sandboxing.run(["node", str(JUDGE), str(seen), str(handin.part), "--results-fd", sandbox.RESULTS_FD],
                             log, timeout=JUDGE_SECONDS, limits=options.limits, slot=places.slot,
                             sandboxed=options.sandboxed, inputs=answers)
    judged: dict[str, Verdict] = {}
    if outcome.problem:
        handin.note("judge", f"correction automatique impossible : {outcome.problem} ({last_line(log)})")
    else:
        try:
            judged = {v.question: v for v in (Verdict(**verdict) for verdict in json.loads(outcome.results or b"[]"))}
        except (ValueError, TypeError) as error:
            handin.note("judge", f"correction automatique impossible : réponse du juge illisible ({error})")
    for verdict in judged.values():
        for text in verdict.texts("note"):
            handin.note("judge", text, verdict.question)
        verdict.points = [point for point in verdict.points if point.kind != "note"]
    handin.graded.verdicts = [judged.get(q) or Verdict(q, False, [Point("wrong", "non jugée")]) for q in questions_of(handin.part)]


def last_line(log: pathlib.Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines() if log.exists() else []
    return lines[-1][:300] if lines else "aucune sortie"
