"""What a teacher hands out with the first-login codes (`npm run hub -- codes`): a CSV for a mail merge
(one row per student: identifier, name, e-mail, code, the server's address) and a printable French sheet,
one slip to cut out per student (HTML, and PDF where chromium is installed). Both hold secrets: they are
written for their owner alone (0600)."""
from __future__ import annotations

import csv
import html
import io
import os
import pathlib
import shutil
import tempfile

from common.pdf import print_pdf

from .roster import Person

SLIP = """<section class="fiche">
  <h2>TP5 Auto-encodeurs — votre première connexion</h2>
  <p class="nom">{name}</p>
  <p>Adresse du serveur : <strong>{url}</strong></p>
  <p>Identifiant : <code>{identifier}</code></p>
  <p>Code de première connexion :</p>
  <p class="code">{code}</p>
  <p class="aide">À votre première visite, cliquez sur « choisir mon mot de passe », puis donnez votre
    identifiant, ce code et le mot de passe de votre choix (8 caractères au moins). Le code ne sert qu'une
    fois et n'est qu'à vous : ne le donnez à personne.</p>
</section>"""

PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>TP5 — codes de première connexion</title>
<style>
  @page {{ size: A4; margin: 10mm; }}
  body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 0; }}
  .fiches {{ display: grid; grid-template-columns: 1fr 1fr; gap: 0; }}
  .fiche {{ border: 1px dashed #888; padding: 4mm 5mm; min-height: 66mm; box-sizing: border-box;
           break-inside: avoid; }}
  .fiche h2 {{ font-size: 11pt; margin: 0 0 2mm; }}
  .nom {{ font-weight: bold; margin: 0 0 2mm; }}
  .fiche p {{ margin: 1mm 0; }}
  .fiche p.code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 15pt; letter-spacing: 1px;
                  white-space: nowrap; margin: 1mm 0 2mm; }}
  .aide {{ font-size: 8.5pt; color: #333; }}
  .consigne {{ margin: 0 0 4mm; }}
  @media print {{ .consigne {{ display: none; }} }}
</style></head>
<body>
<p class="consigne">{count} fiche(s) à imprimer et découper (une par étudiant) ; les codes ne sont gardés
nulle part ailleurs en clair. Un code perdu : <code>npm run hub -- codes IDENTIFIANT</code> en donne un
nouveau (l'ancien ne sert plus).</p>
<div class="fiches">
{slips}
</div>
</body></html>
"""


def write_private(path: pathlib.Path, text: str) -> None:
    """Writes `text` in a file only its owner may read, made so from its creation."""
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
        out.write(text)


def write_handouts(people: list[Person], codes: dict[str, str], url: str, folder: pathlib.Path) -> list[pathlib.Path]:
    """codes.csv, codes.html and (where chromium prints it) codes.pdf in `folder`; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["identifiant", "nom", "email", "code", "adresse"])
    for person in people:
        writer.writerow([person.identifier, person.name, person.email, codes[person.identifier], url])
    written = [folder / "codes.csv", folder / "codes.html"]
    write_private(written[0], table.getvalue())
    slips = "\n".join(SLIP.format(name=html.escape(p.name), url=html.escape(url), identifier=html.escape(p.identifier),
                                  code=codes[p.identifier]) for p in people)
    write_private(written[1], PAGE.format(count=len(people), slips=slips))

    with tempfile.TemporaryDirectory() as private:  # the PDF is printed where only its owner can look
        printed = pathlib.Path(private) / "codes.pdf"
        if not print_pdf(written[1], printed):
            os.chmod(printed, 0o600)
            written.append(pathlib.Path(shutil.move(printed, folder / "codes.pdf")))
    return written
