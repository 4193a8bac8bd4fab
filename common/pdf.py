"""A page printed to PDF by Debian's chromium: the students' hand-in pages, the teacher's sheets of codes."""
import pathlib
import shutil
import subprocess

CHROMIUM = "/usr/bin/chromium"


def print_pdf(page: pathlib.Path, pdf: pathlib.Path) -> str:
    """Prints the HTML page to PDF; returns why not, or an empty string."""
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} n'est pas installé (apt-get install chromium)"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--virtual-time-budget=20000",
               "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.resolve().as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if result.returncode != 0 or not pdf.exists():
        return f"chromium n'a pas pu imprimer la page : {result.stderr.strip()[-500:]}"
    return ""
