"""What the console says while a class is graded."""
from .records import Graded, one_line


def console_line(graded: Graded, reused: bool = False) -> str:
    """A hand-in's points, the questions to revise and the cause of the first (a note on that question,
    such as its cell's error, else what the judge found), and how many other notes."""
    wrong = [v for v in graded.verdicts if not v.passed]
    line = f"{graded.points} / {len(graded.verdicts)}{' (déjà corrigé, inchangé)' if reused else ''}"
    if wrong:
        line += f" ; à revoir : {', '.join(v.question for v in wrong)}"
    first = wrong[0] if wrong else None
    own = [note.text for note in graded.notes if first and note.question == first.question]
    found = first.texts("wrong") if first else []
    cause = (own or found or [note.text for note in graded.notes] or [""])[0]
    if cause:
        line += f" ; {one_line(cause, 160)}"
    others = len(graded.notes) - (1 if cause in (note.text for note in graded.notes) else 0)
    if others > 0:
        line += f" (+{others} remarque{'s' if others > 1 else ''})"
    return line


def duration(seconds: float) -> str:
    """« 45 s », « 4 min 05 s »."""
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"
