"""Le serveur de la classe (JupyterHub sur une machine), commandes de l'enseignant :

  release [--kit DOSSIER] [--deadline DATE]
      Distribue le kit étudiant (par défaut : fait à l'instant à partir des solutions, avec le guide du
      serveur) ; chaque étudiant le reçoit dans son dossier tp5/ à sa prochaine connexion.
  serve LISTE.csv [--port P] [--ip IP] [--cpus C] [--memory-gb G] [--processes N] [--ssl-cert F --ssl-key F]
      Démarre le serveur pour les personnes de la liste (identifiant, nom, email, role) : un compte et un
      dossier personnel chacun, JupyterLab en français dans un bac à sable borné (cœurs, mémoire, processus).
      Seule commande qui demande root.
  roster LISTE.csv
      Vérifie et enregistre la liste sans démarrer de serveur (sur Kubernetes : elle écrit aussi les
      utilisateurs permis pour Zero to JupyterHub).
  deadline DATE | deadline aucune
      Fixe (ou retire) la date limite : un rendu arrivé après est marqué en retard.
  collect --out RENDUS [--on-time]
      Ramasse le dernier rendu de chaque étudiant et de chaque carnet dans RENDUS/<identifiant>/<carnet>.ipynb
      (ce que lit npm run grade) et RENDUS/rendus.csv (horodatage, nombre de rendus, retard). --on-time :
      le dernier rendu avant la date limite, quand il y en a un.
  return NOTES
      Rend à chaque étudiant ses pages de retour (NOTES/feedback/<identifiant>/*.html, écrites par
      npm run grade) : il les trouve dans tp5/retours.
  status
      Une ligne par étudiant : ses rendus, le dernier, les retards.

Toutes prennent --folder DOSSIER, le dossier de la classe (/srv/tp5-classe par défaut).
"""
from __future__ import annotations

import argparse
import csv
import os
import pathlib
import shutil
import socket
import sys

import nbformat

from scripts.tp5nb import sandbox
from scripts.tp5nb.paths import NOTEBOOKS_DIR, ROOT, VENV_BIN
from scripts.tp5nb.student import leaks, student_version

from . import accounts
from .exchange.dates import french_datetime, parse_deadline
from .exchange.store import Exchange, Refused
from .layout import DEFAULT_FOLDER, Bounds, ClassFolder, ServerSettings
from .roster import Roster, RosterError, read_roster

GUIDE = pathlib.Path(__file__).with_name("GUIDE.md")
KIT_NOTEBOOKS = ("01-", "02-", "03-")


class Stop(Exception):
    """A French sentence that ends the command (exit status 2) before anything is changed."""


def say(message: str) -> None:
    print(f"[classe] {message}", flush=True)


def require_root() -> None:
    if os.geteuid() != 0:
        raise Stop("le serveur de la classe démarre en root (sudo npm run hub -- serve …) : il crée un compte et "
                   "un dossier par personne, et borne chacun")


def port_in_use(ip: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError:
            return True
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def class_roster(folder: ClassFolder) -> Roster:
    if not folder.roster_file.exists():
        raise Stop(f"{folder.root} n'a pas de liste de classe : démarrez d'abord le serveur (serve LISTE.csv)")
    return read_roster(folder.roster_file)


# release ---------------------------------------------------------------------------------------

def kit_files(kit: pathlib.Path | None) -> dict[str, bytes]:
    """The kit to release: a folder made by `npm run student`, or one made now from the solutions."""
    if kit is not None:
        if not kit.is_dir():
            raise Stop(f"kit introuvable : {kit} n'est pas un dossier (npm run student écrit build/student)")
        notebooks = {p.name: p.read_bytes() for p in sorted(kit.glob("0[123]-*.ipynb"))}
        missing = [prefix + "….ipynb" for prefix in KIT_NOTEBOOKS if not any(n.startswith(prefix) for n in notebooks)]
        if missing:
            raise Stop(f"kit incomplet dans {kit} : il manque {', '.join(missing)} (npm run student écrit les trois)")
        return {**notebooks, "LISEZ-MOI.md": GUIDE.read_bytes()}
    sources = sorted(NOTEBOOKS_DIR.glob("0[123]-*.ipynb"))
    if len(sources) != 3:
        raise Stop(f"kit introuvable : {NOTEBOOKS_DIR} doit contenir les trois carnets du TP (01-…, 02-…, 03-…)")
    students, removed = {}, []
    for path in sources:
        notebook, _, _, answers = student_version(nbformat.read(path, as_version=4), path.name)
        students[path.name] = notebook
        removed += answers
    if leaks(students, removed):
        raise Stop("des lignes de réponse resteraient dans le kit : npm run student dit lesquelles")
    return {**{n: nbformat.writes(nb).encode() for n, nb in students.items()}, "LISEZ-MOI.md": GUIDE.read_bytes()}


def command_release(args: argparse.Namespace, folder: ClassFolder) -> int:
    files = kit_files(args.kit)
    deadline = parse_deadline(args.deadline) if args.deadline else None
    make_class_folder(folder)
    exchange = Exchange(folder)
    exchange.release(files)
    if deadline:
        exchange.set_deadline(deadline)
    say(f"kit distribué : {', '.join(sorted(files))} ; chaque étudiant le reçoit dans tp5/ à sa prochaine connexion")
    when = exchange.deadline()
    say(f"date limite : {french_datetime(when)}" if when else "pas de date limite (deadline DATE pour en fixer une)")
    return 0


def make_class_folder(folder: ClassFolder) -> None:
    for place, mode in ((folder.root, 0o711), (folder.state, 0o700), (folder.exchange, 0o700)):
        place.mkdir(parents=True, exist_ok=True)
        os.chmod(place, mode)


# roster ----------------------------------------------------------------------------------------

def keep_roster(roster_file: pathlib.Path, folder: ClassFolder) -> Roster:
    """Checks the roster and keeps a copy in the class folder, where collect, return and status read it."""
    roster = read_roster(roster_file)
    make_class_folder(folder)
    shutil.copyfile(roster_file, folder.roster_file)
    return roster


def command_roster(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = keep_roster(args.roster, folder)
    say(f"liste enregistrée dans {folder.roster_file} : {len(roster.students)} étudiants, {len(roster.teachers)} enseignants")
    say("pour Zero to JupyterHub (image/kubernetes/zero-to-jupyterhub.yaml), sous hub.config :")
    print("    Authenticator:")
    for key, people in (("allowed_users", roster.people), ("admin_users", roster.teachers)):
        print(f"      {key}: [{', '.join(p.identifier for p in people)}]")
    return 0


# serve -----------------------------------------------------------------------------------------

def command_serve(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = read_roster(args.roster)
    if port_in_use(args.ip, args.port):
        raise Stop(f"le port {args.port} est déjà utilisé sur {args.ip} : arrêtez le programme qui l'occupe "
                   "ou choisissez un autre port (--port)")
    if not Exchange(folder).notebook_names():
        raise Stop(f"aucun kit distribué dans {folder.kit} : lancez d'abord npm run hub -- release")
    if bool(args.ssl_cert) != bool(args.ssl_key):
        raise Stop("--ssl-cert et --ssl-key vont ensemble (le certificat et sa clé)")
    why = sandbox.unavailable()
    if why:
        raise Stop(f"pas de bac à sable pour les étudiants : {why}")
    bounds = Bounds(cpus=args.cpus, memory_bytes=int(args.memory_gb * 1024 ** 3), processes=args.processes)
    probe = sandbox.Group(f"tp5-classe-sonde-{os.getpid()}", bounds.memory_bytes, bounds.processes, bounds.cpus)
    bounded = probe.active
    probe.close()
    if not bounded:
        raise Stop("impossible de borner chaque étudiant ici (cgroups mémoire, processus et processeur) : "
                   "il faut Linux et les droits de root")
    keep_roster(args.roster, folder)
    settings = ServerSettings(args.ip, args.port, bounds, free_port(), free_port(), free_port(),
                              str(args.ssl_cert or ""), str(args.ssl_key or ""))
    folder.settings_file.write_text(settings.to_json(), encoding="utf-8")
    for person in roster.people:
        accounts.ensure(person, folder)
    say(f"{len(roster.students)} étudiants, {len(roster.teachers)} enseignants ; chacun : {bounds.cpus:g} cœur(s), "
        f"{args.memory_gb:g} Gio de mémoire, {bounds.processes} processus")
    scheme = "https" if args.ssl_cert else "http"
    say(f"adresse à donner aux étudiants : {scheme}://{socket.gethostname() if args.ip in ('0.0.0.0', '::') else args.ip}"
        f":{args.port}/ (première visite : « Créer mon compte »)")
    env = {**os.environ, "TP5_CLASSE": str(folder.root), "PYTHONPATH": str(ROOT)}
    os.chdir(folder.state)
    # JupyterHub takes this process's place: a stop signal reaches it, and it stops the servers it started.
    hub = str(VENV_BIN / "jupyterhub")
    os.execve(hub, [hub, "-f", str(ROOT / "hub" / "jupyterhub_config.py")], env)


# deadline --------------------------------------------------------------------------------------

def command_deadline(args: argparse.Namespace, folder: ClassFolder) -> int:
    if not folder.exchange.exists():
        raise Stop(f"{folder.root} n'est pas un dossier de classe : lancez d'abord npm run hub -- release")
    when = None if args.date.strip().lower() in ("aucune", "none") else parse_deadline(args.date)
    Exchange(folder).set_deadline(when)
    say(f"date limite : {french_datetime(when)}" if when else "plus de date limite")
    return 0


# collect ---------------------------------------------------------------------------------------

def command_collect(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = class_roster(folder)
    exchange = Exchange(folder)
    args.out.mkdir(parents=True, exist_ok=True)
    rows, late, without = [], 0, []
    for person in roster.students:
        chosen = exchange.chosen(person.identifier, args.on_time)
        if not chosen:
            without.append(person.identifier)
        for notebook, (receipt, path, count) in chosen.items():
            target = args.out / person.identifier / notebook
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            late += receipt.late
            rows.append([person.identifier, person.name, notebook, receipt.number, count, receipt.time,
                         "oui" if receipt.late else "non"])
    with open(args.out / "rendus.csv", "w", newline="", encoding="utf-8") as table:
        writer = csv.writer(table)
        writer.writerow(["identifiant", "nom", "carnet", "rendu_ramasse", "rendus", "horodatage", "en_retard"])
        writer.writerows(rows)
    handed = len(roster.students) - len(without)
    say(f"{handed} étudiant(s) sur {len(roster.students)} ont rendu : {len(rows)} carnet(s) dans {args.out}, "
        f"dont {late} en retard ; le détail : {args.out / 'rendus.csv'}")
    if without:
        say(f"sans rendu : {', '.join(without)}")
    say(f"ensuite : npm run grade -- {args.out} --out NOTES, puis npm run hub -- return NOTES")
    return 0


# return ----------------------------------------------------------------------------------------

def command_return(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = class_roster(folder)
    pages_folder = args.notes / "feedback"
    if not pages_folder.is_dir():
        raise Stop(f"pas de pages de retour dans {pages_folder} : c'est le dossier --out de npm run grade")
    exchange = Exchange(folder)
    returned, people, unknown = 0, 0, []
    for student in sorted(p for p in pages_folder.iterdir() if p.is_dir()):
        if roster.find(student.name) is None:
            unknown.append(student.name)
            continue
        pages = sorted(student.glob("*.html"))
        for page in pages:
            exchange.return_feedback(student.name, page.name, page.read_bytes())
        returned += len(pages)
        people += bool(pages)
    say(f"{returned} page(s) de retour rendue(s) à {people} étudiant(s) : ils les trouvent dans tp5/retours "
        "(au plus tard deux minutes après, ou tout de suite par le menu TP5 › Mes retours)")
    if unknown:
        say(f"pas sur la liste, pages non rendues : {', '.join(unknown)}")
    return 0


# status ----------------------------------------------------------------------------------------

def command_status(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = class_roster(folder)
    exchange = Exchange(folder)
    deadline = exchange.deadline()
    print(f"date limite : {french_datetime(deadline) if deadline else 'aucune'}")
    for person in roster.students:
        receipts = exchange.receipts(person.identifier)
        if not receipts:
            print(f"{person.identifier:<20} {person.name:<30} aucun rendu")
            continue
        notebooks = sorted({r.notebook[:2] for r in receipts})
        late = sum(r.late for r in receipts)
        print(f"{person.identifier:<20} {person.name:<30} {len(receipts)} rendu(s) (carnets {', '.join(notebooks)}), "
              f"dernier le {french_datetime(receipts[-1].when)}" + (f", {late} en retard" if late else ""))
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="npm run hub --", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--folder", type=pathlib.Path, default=DEFAULT_FOLDER,
                        help=f"le dossier de la classe ({DEFAULT_FOLDER} par défaut)")
    sub = main.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    release = command("release", "distribuer le kit étudiant")
    release.add_argument("--kit", type=pathlib.Path, help="un kit écrit par npm run student (par défaut : fait à l'instant)")
    release.add_argument("--deadline", help="la date limite, par exemple « 18/12/2026 23:59 »")
    serve = command("serve", "démarrer le serveur de la classe")
    serve.add_argument("roster", type=pathlib.Path, help="la liste de la classe (CSV : identifiant, nom, email, role)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--ip", default="0.0.0.0", help="l'adresse où écouter (0.0.0.0 : toutes)")
    serve.add_argument("--cpus", type=float, default=1.0, help="cœurs par personne (1 par défaut)")
    serve.add_argument("--memory-gb", type=float, default=3.0, help="mémoire par personne, en Gio (3 par défaut)")
    serve.add_argument("--processes", type=int, default=512, help="processus et fils par personne (512 par défaut)")
    serve.add_argument("--ssl-cert", type=pathlib.Path, help="certificat HTTPS (avec --ssl-key)")
    serve.add_argument("--ssl-key", type=pathlib.Path, help="clé du certificat HTTPS")
    roster = command("roster", "vérifier et enregistrer la liste de la classe (sans démarrer de serveur)")
    roster.add_argument("roster", type=pathlib.Path, help="la liste de la classe (CSV : identifiant, nom, email, role)")
    deadline = command("deadline", "fixer ou retirer la date limite")
    deadline.add_argument("date", help="par exemple « 18/12/2026 23:59 », ou « aucune »")
    collect = command("collect", "ramasser les rendus pour npm run grade")
    collect.add_argument("--out", type=pathlib.Path, required=True)
    collect.add_argument("--on-time", action="store_true", help="le dernier rendu avant la date limite, quand il y en a un")
    give_back = command("return", "rendre les pages de retour aux étudiants")
    give_back.add_argument("notes", type=pathlib.Path, help="le dossier --out de npm run grade")
    command("status", "les rendus de chaque étudiant")
    return main


COMMANDS = {"release": command_release, "serve": command_serve, "roster": command_roster, "deadline": command_deadline,
            "collect": command_collect, "return": command_return, "status": command_status}


def main() -> int:
    args = parser().parse_args()
    try:
        if args.command == "serve":
            require_root()
        return COMMANDS[args.command](args, ClassFolder(args.folder.resolve()))
    except (Stop, RosterError, Refused, ValueError) as error:
        print(f"[classe] erreur : {error}", file=sys.stderr)
        return 2
