"""Le serveur de la classe (JupyterHub sur une machine), commandes de l'enseignant :

  release [--kit DOSSIER] [--deadline DATE]
      Distribue le kit étudiant (par défaut : fait à l'instant à partir des solutions, avec le guide du
      serveur) ; chaque étudiant le reçoit dans son dossier tp5/ à sa prochaine connexion.
  serve LISTE.csv [--port P] [--ip IP] [--cpus C] [--memory-gb G] [--processes N] [--disk-gb D]
        [--internet] [--ssl-cert F --ssl-key F]
      Démarre le serveur pour les personnes de la liste (identifiant, nom, email, role) : un compte et un
      disque personnel chacun, JupyterLab en français dans un bac à sable borné (cœurs, mémoire, processus,
      disque), sans réseau (--internet : vers les autres machines, jamais vers celle-ci). Ctrl-C ou kill
      l'arrête, avec tout ce qu'il a lancé.
  password IDENTIFIANT
      Fixe le mot de passe d'un enseignant (lu sur l'entrée standard, ou demandé deux fois au terminal) ;
      aussi celui de n'importe qui de la liste, pour le réinitialiser.
  codes [IDENTIFIANT…] [--out DOSSIER] [--url ADRESSE]
      Donne à chaque étudiant sans mot de passe (ou à ceux nommés) un code de première connexion, qui ne
      sert qu'une fois : DOSSIER/codes.csv pour un publipostage, codes.html et codes.pdf à imprimer et
      découper. Un nouveau code remplace l'ancien ; il permet aussi de choisir un nouveau mot de passe.
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
      Une ligne par étudiant : son compte, son disque, ses rendus, le dernier, les retards.
  lti --url ADRESSE  |  lti --url ADRESSE --issuer URL --client-id ID --deployment-id ID --auth-url URL
      --token-url URL --jwks-url URL [--claim email|login|sub|custom:NOM]  |  lti --off  |  lti
      Relie la classe au LMS (Moodle…) par LTI 1.3 : les étudiants arrivent depuis le cours, chacun
      reconnu dans la liste par l'information choisie (--claim). --url seul : ce qu'il faut saisir dans
      le LMS pour y déclarer l'outil (adresses de l'outil, clé publique) ; avec ce que le LMS donne
      ensuite : la classe est reliée. --off : retour aux mots de passe. Sans option : l'état. Prend
      effet au prochain serve.
  send-grades NOTES [--dry-run] [--retries N]
      Envoie au carnet de notes du LMS la note de chaque étudiant pour chaque carnet (NOTES : le dossier
      --out de npm run grade), par le service de notes LTI Advantage ; ce qui échoue est gardé et part à
      l'envoi suivant. --dry-run : affiche ce qui serait envoyé, sans rien envoyer.

Toutes prennent --folder DOSSIER, le dossier de la classe (/srv/tp5-classe par défaut). serve demande
root ; les autres, le droit d'écrire dans ce dossier (root aussi, en pratique : il est fermé aux autres).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile

import sandbox
from common.french_argparse import FrenchArgumentParser
from common.paths import NOTEBOOKS_DIR, PYTHON, ROOT
from common.units import french_size

from . import accounts, disks, supervisor
from .codes import FirstLoginCodes
from .exchange.dates import french_datetime, parse_deadline
from .exchange.store import Exchange, Refused
from .handout import write_handouts
from .json_files import write_json
from .layout import DEFAULT_FOLDER, Bounds, ClassFolder, ServerSettings
from .lms_grades import send_grades
from .lti import (CLAIMS, LtiSettings, ToolKey, claim_problem, login_initiation_url, redirection_url,
                  tool_key)
from .passwords import PasswordBook, PasswordRefused, set_password
from .roster import Person, Roster, RosterError, read_roster
from .spawner import SLIRP4NETNS

BOUNDS = Bounds()

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
    """The kit to release: a folder made by `npm run student`, or one made now from the solutions (by
    the grader's own command, which refuses a kit where an answer's line would remain)."""
    if kit is None:
        with tempfile.TemporaryDirectory() as made:
            sources = sorted(NOTEBOOKS_DIR.glob("0[123]-*.ipynb"))
            result = subprocess.run([PYTHON, "-m", "grader", "student", "--output-dir", made, *map(str, sources)],
                                    cwd=ROOT, capture_output=True, text=True)
            if result.returncode != 0:
                raise Stop(f"le kit n'a pas pu être fait depuis {NOTEBOOKS_DIR} : "
                           f"{(result.stderr.strip().splitlines() or ['erreur inconnue'])[0]}")
            return kit_files(pathlib.Path(made))
    if not kit.is_dir():
        raise Stop(f"kit introuvable : {kit} n'est pas un dossier (npm run student écrit build/student)")
    notebooks = {p.name: p.read_bytes() for p in sorted(kit.glob("0[123]-*.ipynb"))}
    missing = [prefix + "….ipynb" for prefix in KIT_NOTEBOOKS if not any(n.startswith(prefix) for n in notebooks)]
    if missing:
        raise Stop(f"kit incomplet dans {kit} : il manque {', '.join(missing)} (npm run student écrit les trois)")
    return {**notebooks, "LISEZ-MOI.md": GUIDE.read_bytes()}


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

def hub_running(folder: ClassFolder) -> int:
    """The process id of this class's JupyterHub if one runs (0 when none)."""
    try:
        pid = int(folder.hub_pid_file.read_text().strip())
        command = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return 0
    return pid if b"jupyterhub" in command else 0


def bounds_from(args: argparse.Namespace) -> Bounds:
    disk_bytes = int(args.disk_gb * 1024 ** 3)
    if disk_bytes < disks.MINIMUM_BYTES:
        raise Stop(f"--disk-gb {args.disk_gb:g} est trop petit : il faut au moins "
                   f"{disks.MINIMUM_BYTES / 1024 ** 3:g} Gio par personne (JupyterLab, le kit et ses résultats)")
    return Bounds(cpus=args.cpus, memory_bytes=int(args.memory_gb * 1024 ** 3), processes=args.processes,
                  disk_bytes=disk_bytes, internet=args.internet)


def machine_refusal(bounds: Bounds, folder: ClassFolder) -> str:
    """Why this machine cannot isolate and bound each student ("" when it can)."""
    why = sandbox.unavailable()
    if why:
        return f"pas de bac à sable pour les étudiants : {why}"
    why = disks.unavailable()
    if why:
        return f"pas de disque borné par personne : {why}"
    if bounds.internet and SLIRP4NETNS is None:
        return "--internet demande slirp4netns (apt-get install slirp4netns)"
    probe = sandbox.Group(folder.group(f"_sonde-{os.getpid()}"), bounds.memory_bytes, bounds.processes, bounds.cpus)
    bounded = probe.active
    probe.close()
    if not bounded:
        return "impossible de borner chaque étudiant ici (cgroups mémoire, processus et processeur) : il faut Linux et les droits de root"
    return ""


def command_serve(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = read_roster(args.roster)
    if port_in_use(args.ip, args.port):
        raise Stop(f"le port {args.port} est déjà utilisé sur {args.ip} : arrêtez le programme qui l'occupe "
                   "ou choisissez un autre port (--port)")
    if not Exchange(folder).notebook_names():
        raise Stop(f"aucun kit distribué dans {folder.kit} : lancez d'abord npm run hub -- release")
    if bool(args.ssl_cert) != bool(args.ssl_key):
        raise Stop("--ssl-cert et --ssl-key vont ensemble (le certificat et sa clé)")
    running = hub_running(folder)
    if running:
        raise Stop(f"un serveur tourne déjà pour {folder.root} (JupyterHub, processus {running}) : arrêtez-le d'abord")
    bounds = bounds_from(args)
    refusal = machine_refusal(bounds, folder)
    if refusal:
        raise Stop(refusal)
    keep_roster(args.roster, folder)
    settings = ServerSettings(ip=args.ip, port=args.port, bounds=bounds, proxy_api_port=free_port(), exchange_port=free_port(),
                              ssl_cert=str(args.ssl_cert or ""), ssl_key=str(args.ssl_key or ""))
    folder.settings_file.write_text(settings.to_json(), encoding="utf-8")
    for person in roster.people:
        accounts.ensure(person, folder)
    say(f"{len(roster.students)} étudiants, {len(roster.teachers)} enseignants ; chacun : {bounds.cpus:g} cœur(s), "
        f"{args.memory_gb:g} Gio de mémoire, {bounds.processes} processus, un disque de {args.disk_gb:g} Gio ; "
        + ("accès aux autres machines (--internet)" if bounds.internet else "aucun accès au réseau"))
    lti = LtiSettings.read(folder.lti_file)
    if lti is None:
        say(f"adresse à donner aux étudiants : {settings.public_url}")
        for line in accounts_to_open(roster, folder):
            say(line)
    else:
        say(f"connexion depuis le LMS (LTI 1.3, {lti.issuer}), par {lti.tool_url}")
    env = {**os.environ, "TP5_CLASSE": str(folder.root), "PYTHONPATH": str(ROOT)}
    return supervisor.run_hub(folder, env)


def accounts_to_open(roster: Roster, folder: ClassFolder) -> list[str]:
    """What is left to do before everyone can log in: teachers' passwords, students' codes."""
    book = PasswordBook.open(folder.database_url)
    codes = FirstLoginCodes(folder.codes_file)
    try:
        teachers = [p.identifier for p in roster.teachers if not book.has_password(p.identifier)]
        students = [p.identifier for p in roster.students
                    if not book.has_password(p.identifier) and codes.status(p.identifier) != "valide"]
    finally:
        book.close()
    lines = [f"l'enseignant {t} n'a pas de mot de passe : sudo npm run hub -- password {t}" for t in teachers]
    if students:
        lines.append(f"{len(students)} étudiant(s) sans mot de passe ni code de première connexion : "
                     "sudo npm run hub -- codes")
    return lines


# lti, send-grades -------------------------------------------------------------------------------

LTI_OPTIONS = ("url", "issuer", "client_id", "deployment_id", "auth_url", "token_url", "jwks_url")


def command_lti(args: argparse.Namespace, folder: ClassFolder) -> int:
    given = [name for name in LTI_OPTIONS if getattr(args, name)]
    if args.off:
        folder.lti_file.unlink(missing_ok=True)
        say("connexion par mot de passe (liste de la classe) au prochain serve ; les lancements gardés restent")
        return 0
    for name in ("url", "issuer", "auth_url", "token_url", "jwks_url"):
        if getattr(args, name) and not str(getattr(args, name)).startswith(("https://", "http://")):
            raise Stop(f"--{name.replace('_', '-')} {getattr(args, name)} : une adresse http(s):// est attendue")
    if given == ["url"]:
        # Declaring the tool in the LMS comes first: its form needs these; the LMS then gives the rest.
        say("l'outil n'est pas encore relié : déclarez-le dans le LMS avec ce qui suit, puis relancez la commande "
            "avec ce que le LMS donne (--issuer, --client-id, --deployment-id, --auth-url, --token-url, --jwks-url)")
        say_what_the_lms_needs(args.url, tool_key(folder.lti_key))
        return 0
    if given:
        missing = [f"--{name.replace('_', '-')}" for name in LTI_OPTIONS if name not in given]
        if missing:
            raise Stop(f"il manque {', '.join(missing)} : le LMS les donne quand on y déclare l'outil "
                       "(--url seul : ce qu'il faut pour l'y déclarer)")
        problem = claim_problem(args.claim)
        if problem:
            raise Stop(problem)
        lti = LtiSettings(issuer=args.issuer, client_id=args.client_id, deployment_id=args.deployment_id,
                          authorize_url=args.auth_url, token_url=args.token_url, jwks_url=args.jwks_url,
                          tool_url=args.url, claim=args.claim)
        write_json(folder.lti_file, lti.to_json())
    current = LtiSettings.read(folder.lti_file)
    if current is None:
        say("la classe n'est pas reliée à un LMS : connexion par mot de passe (npm run hub -- lti --help)")
        return 0
    say(f"relié au LMS {current.issuer} (client {current.client_id}, déploiement {current.deployment_id}) ; "
        f"chaque personne reconnue par {CLAIMS.get(current.claim, current.claim)}")
    say_what_the_lms_needs(current.tool_url, tool_key(folder.lti_key))
    return 0


def say_what_the_lms_needs(tool_url: str, key: ToolKey) -> None:
    """The values of the LMS's form for the tool (Moodle: « Outil externe »): its addresses and its public key."""
    say(f"à saisir dans le LMS : URL de l'outil et URI de redirection : {redirection_url(tool_url)}")
    say(f"à saisir dans le LMS : URL de connexion (initiate login) : {login_initiation_url(tool_url)}")
    say("à saisir dans le LMS : type de clé publique « clé RSA », cette clé :\n" + key.public_pem.strip())
    say(f"la même clé en jeu de clés (JWKS) : {json.dumps(key.jwks())}")
    if not tool_url.startswith("https://"):
        say("attention : sans HTTPS, les navigateurs n'envoient pas au retour du LMS le cookie qui protège la "
            "connexion ; donnez au serveur une adresse https:// (--ssl-cert, ou un frontal HTTPS)")


def command_send_grades(args: argparse.Namespace, folder: ClassFolder) -> int:
    if args.retries < 1:
        raise Stop(f"--retries {args.retries} : au moins 1 essai")
    left = send_grades(args.notes, folder, args.dry_run, attempts=args.retries)
    return 1 if left else 0


# password --------------------------------------------------------------------------------------

def command_password(args: argparse.Namespace, folder: ClassFolder) -> int:
    say(set_password(class_roster(folder), folder.database_url, args.identifier))
    return 0


# codes -----------------------------------------------------------------------------------------

def command_codes(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = class_roster(folder)
    if args.identifiers:
        people, problems = [], []
        for identifier in args.identifiers:
            person = roster.find(identifier.strip().lower())
            if person is None:
                problems.append(f"« {identifier} » n'est pas sur la liste de la classe")
            elif person.is_teacher:
                problems.append(f"{person.identifier} est enseignant : pas de code, son mot de passe se fixe avec "
                                f"npm run hub -- password {person.identifier}")
            else:
                people.append(person)
        if problems:
            raise Stop("; ".join(problems) + " ; aucun code n'a été donné")
    else:
        book = PasswordBook.open(folder.database_url)
        try:
            people = [p for p in roster.students if not book.has_password(p.identifier)]
        finally:
            book.close()
        if not people:
            say("chaque étudiant a déjà choisi son mot de passe : aucun code à donner "
                "(npm run hub -- codes IDENTIFIANT pour un code de plus)")
            return 0
    url = args.url or (ServerSettings.from_json(folder.settings_file.read_text(encoding="utf-8")).public_url
                       if folder.settings_file.exists() else "l'adresse que votre enseignant vous donne")
    codes = FirstLoginCodes(folder.codes_file).issue([p.identifier for p in people])
    written = write_handouts(people, codes, url, args.out)
    say(f"{len(people)} code(s) de première connexion : {', '.join(str(path) for path in written)} "
        "(fichiers secrets : à ne donner qu'à chaque étudiant)")
    say("un code ne sert qu'une fois ; tout code donné plus tôt à ces étudiants ne sert plus")
    return 0


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

def account_state(identifier: str, book: PasswordBook, codes: FirstLoginCodes) -> str:
    if book.has_password(identifier):
        return "mot de passe choisi"
    return {"valide": "code donné, pas encore utilisé", "utilisé": "code utilisé", "aucun": "pas de code"}[codes.status(identifier)]


def disk_state(person: Person, settings: ServerSettings | None, folder: ClassFolder) -> str:
    image = folder.disk_image(person.identifier)
    if not image.exists():
        return "disque pas encore créé"
    account = accounts.lookup(person.identifier, folder)
    size = settings.bounds.disk_bytes if settings else 0
    used, total = disks.HomeDisk(image, account.home, size, account.uid, account.gid).usage()
    return f"disque {french_size(used)} sur {french_size(total)}"


def command_status(args: argparse.Namespace, folder: ClassFolder) -> int:
    roster = class_roster(folder)
    exchange = Exchange(folder)
    settings = ServerSettings.from_json(folder.settings_file.read_text(encoding="utf-8")) if folder.settings_file.exists() else None
    deadline = exchange.deadline()
    print(f"date limite : {french_datetime(deadline) if deadline else 'aucune'}")
    book = PasswordBook.open(folder.database_url)
    codes = FirstLoginCodes(folder.codes_file)
    try:
        for person in roster.students:
            receipts = exchange.receipts(person.identifier)
            if receipts:
                notebooks = sorted({r.notebook[:2] for r in receipts})
                late = sum(r.late for r in receipts)
                handed = (f"{len(receipts)} rendu(s) (carnets {', '.join(notebooks)}), dernier le "
                          f"{french_datetime(receipts[-1].when)}" + (f", {late} en retard" if late else ""))
            else:
                handed = "aucun rendu"
            print(f"{person.identifier:<20} {person.name:<30} {handed} ; {account_state(person.identifier, book, codes)} ; "
                  f"{disk_state(person, settings, folder)}")
    finally:
        book.close()
    return 0


def parser() -> argparse.ArgumentParser:
    main = FrenchArgumentParser(prog="npm run hub --", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    common = FrenchArgumentParser(add_help=False)
    common.add_argument("--folder", type=pathlib.Path, default=DEFAULT_FOLDER, metavar="DOSSIER",
                        help=f"le dossier de la classe ({DEFAULT_FOLDER} par défaut)")
    sub = main.add_subparsers(dest="command", metavar="COMMANDE", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    release = command("release", "distribuer le kit étudiant")
    release.add_argument("--kit", type=pathlib.Path, metavar="DOSSIER", help="un kit écrit par npm run student (par défaut : fait à l'instant)")
    release.add_argument("--deadline", metavar="DATE", help="la date limite, par exemple « 18/12/2026 23:59 »")
    serve = command("serve", "démarrer le serveur de la classe")
    serve.add_argument("roster", type=pathlib.Path, metavar="LISTE.csv", help="la liste de la classe (CSV : identifiant, nom, email, role)")
    serve.add_argument("--port", metavar="P", type=int, default=8000)
    serve.add_argument("--ip", metavar="IP", default="0.0.0.0", help="l'adresse où écouter (0.0.0.0 : toutes)")
    serve.add_argument("--cpus", metavar="C", type=float, default=BOUNDS.cpus, help=f"cœurs par personne ({BOUNDS.cpus:g} par défaut)")
    serve.add_argument("--memory-gb", metavar="GIO", type=float, default=BOUNDS.memory_bytes / 1024 ** 3,
                       help=f"mémoire par personne, en Gio ({BOUNDS.memory_bytes / 1024 ** 3:g} par défaut)")
    serve.add_argument("--processes", metavar="N", type=int, default=BOUNDS.processes,
                       help=f"processus et fils par personne ({BOUNDS.processes} par défaut)")
    serve.add_argument("--disk-gb", metavar="GIO", type=float, default=BOUNDS.disk_bytes / 1024 ** 3,
                       help=f"taille du dossier personnel, en Gio ({BOUNDS.disk_bytes / 1024 ** 3:g} par défaut)")
    serve.add_argument("--internet", action="store_true",
                       help="laisser le code des étudiants joindre les autres machines (pip, pages web) ; "
                            "jamais cette machine-ci. Par défaut : aucun réseau")
    serve.add_argument("--ssl-cert", metavar="FICHIER", type=pathlib.Path, help="certificat HTTPS (avec --ssl-key)")
    serve.add_argument("--ssl-key", metavar="FICHIER", type=pathlib.Path, help="clé du certificat HTTPS")
    password = command("password", "fixer le mot de passe d'un enseignant (ou réinitialiser celui de quelqu'un)")
    password.add_argument("identifier", metavar="IDENTIFIANT", help="l'identifiant de la personne, dans la liste")
    codes = command("codes", "donner les codes de première connexion des étudiants")
    codes.add_argument("identifiers", metavar="IDENTIFIANT", nargs="*",
                       help="seulement ces étudiants (par défaut : tous ceux qui n'ont pas encore de mot de passe)")
    codes.add_argument("--out", type=pathlib.Path, default=pathlib.Path("codes-tp5"),
                       help="le dossier où écrire codes.csv, codes.html et codes.pdf (codes-tp5 par défaut)")
    codes.add_argument("--url", metavar="ADRESSE", help="l'adresse du serveur à imprimer sur les fiches (par défaut : celle de serve)")
    roster = command("roster", "vérifier et enregistrer la liste de la classe (sans démarrer de serveur)")
    roster.add_argument("roster", type=pathlib.Path, metavar="LISTE.csv", help="la liste de la classe (CSV : identifiant, nom, email, role)")
    deadline = command("deadline", "fixer ou retirer la date limite")
    deadline.add_argument("date", metavar="DATE", help="par exemple « 18/12/2026 23:59 », ou « aucune »")
    collect = command("collect", "ramasser les rendus pour npm run grade")
    collect.add_argument("--out", type=pathlib.Path, required=True, metavar="RENDUS",
                         help="le dossier où copier les rendus (RENDUS/<identifiant>/<carnet>.ipynb et RENDUS/rendus.csv)")
    collect.add_argument("--on-time", action="store_true", help="le dernier rendu avant la date limite, quand il y en a un")
    give_back = command("return", "rendre les pages de retour aux étudiants")
    give_back.add_argument("notes", type=pathlib.Path, metavar="NOTES", help="le dossier --out de npm run grade")
    command("status", "le compte, le disque et les rendus de chaque étudiant")
    lti = command("lti", "relier la classe au LMS par LTI 1.3 (ou l'en délier)")
    lti.add_argument("--url", metavar="ADRESSE", help="l'adresse publique du serveur, telle que le LMS la voit (https://…)")
    lti.add_argument("--issuer", metavar="URL", help="l'identifiant de la plateforme (Moodle : son adresse)")
    lti.add_argument("--client-id", metavar="ID", help="l'identifiant client donné par le LMS à l'outil")
    lti.add_argument("--deployment-id", metavar="ID", help="l'identifiant de déploiement donné par le LMS")
    lti.add_argument("--auth-url", metavar="URL", help="l'adresse d'authentification du LMS (Moodle : …/mod/lti/auth.php)")
    lti.add_argument("--token-url", metavar="URL", help="l'adresse des jetons d'accès du LMS (Moodle : …/mod/lti/token.php)")
    lti.add_argument("--jwks-url", metavar="URL", help="l'adresse du jeu de clés public du LMS (Moodle : …/mod/lti/certs.php)")
    lti.add_argument("--claim", default="email", metavar="INFO",
                     help="ce qui reconnaît une personne de la liste : email (par défaut), login, sub ou custom:NOM")
    lti.add_argument("--off", action="store_true", help="revenir à la connexion par mot de passe")
    send = command("send-grades", "envoyer les notes au carnet de notes du LMS (LTI Advantage)")
    send.add_argument("notes", type=pathlib.Path, metavar="NOTES", help="le dossier --out de npm run grade")
    send.add_argument("--dry-run", action="store_true", help="afficher ce qui serait envoyé, sans rien envoyer")
    send.add_argument("--retries", type=int, default=4, metavar="N", help="essais par note quand le LMS échoue (4 par défaut)")
    return main


COMMANDS = {"release": command_release, "serve": command_serve, "password": command_password, "codes": command_codes,
            "roster": command_roster, "deadline": command_deadline, "collect": command_collect, "return": command_return,
            "status": command_status, "lti": command_lti, "send-grades": command_send_grades}


def main() -> int:
    args = parser().parse_args()
    try:
        if args.command == "serve":
            require_root()
        return COMMANDS[args.command](args, ClassFolder(args.folder.resolve()))
    except (Stop, PasswordRefused, RosterError, Refused, ValueError, disks.DiskError) as error:
        print(f"[classe] erreur : {error}", file=sys.stderr)
        return 2
    except PermissionError as error:
        print(f"[classe] erreur : pas le droit d'accéder à {error.filename} : lancez la commande en root (sudo)",
              file=sys.stderr)
        return 2
