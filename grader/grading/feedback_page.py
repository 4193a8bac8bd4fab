"""A hand-in's feedback page: the notebook as re-run, under each question's verdict and what to revise,
and the notes. No script, no link that runs one, nothing loaded from elsewhere (safe_html)."""
import html
import pathlib
import re

import nbformat

from common.conventions import tp5

from ..export import to_html
from ..safe_html import sanitized
from .records import Graded


#: How the grader ran the notebook, and why a verdict can differ from the student's own check (the
#: quick mode's figures: lib/settings.ts).
HOW_IT_RAN = ("Votre carnet a été exécuté de nouveau en entier, du début, dans un bac à sable et en mode rapide "
              "(4 000 images d'entraînement, dont 400 de validation, 500 images de test, trois époques au plus par "
              "entraînement) : les mesures y sont moins bonnes que chez vous, et un verdict peut différer de celui de "
              "vos cellules de vérification (un entraînement que vous aviez arrêté par ■ est refait ici, par exemple). "
              "Les cellules sont numérotées comme dans votre carnet.")


def summary(graded: Graded) -> str:
    rows = "".join(
        f"<tr><td>{'✔' if v.passed else '✘'} Question {html.escape(v.question)}</td>"
        f"<td>{'<br>'.join(html.escape(text) for text in v.texts('wrong')) or 'juste'}</td></tr>"
        for v in graded.verdicts)
    notes = "".join(f"<li>{html.escape(note.text)}</li>" for note in graded.notes)
    return (f'<div style="font-family:sans-serif;padding:12px 24px;border-bottom:2px solid #444">'
            f"<h2>{html.escape(graded.notebook)} — {html.escape(graded.student)}</h2>"
            f"<p>Correction automatique : <b>{graded.points} / {len(graded.verdicts)}</b></p>"
            f"<p>{HOW_IT_RAN}</p>"
            f'<table border="1" cellpadding="4" style="border-collapse:collapse">{rows}</table>'
            + (f"<p>Remarques :</p><ul>{notes}</ul>" if notes else "") + "</div>")


def feedback_page(graded: Graded, executed: pathlib.Path) -> str:
    """The page, with the executed notebook `executed` (its export cells left out) when the run left one."""
    top = summary(graded)
    if not executed.exists():
        return sanitized(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{top}</body></html>")
    notebook = nbformat.read(executed, as_version=4)
    notebook.cells = [c for c in notebook.cells if not tp5(c).get("export")]
    body = to_html(notebook, graded.notebook, graded.student, untrusted=True)
    return sanitized(re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, body, count=1))
