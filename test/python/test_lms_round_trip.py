"""The LMS round trip, end to end on the loopback: a class server started with `npm run hub -- serve` in
LTI mode (`hub lti`), and a test LMS (test/helpers/test_lms.py: an LTI 1.3 platform made with
lti1p3platform, with a gradebook). Students launch from the LMS and land in the hub as their roster
identifier, their JupyterLab with the kit (the roster, not the LTI role, makes a teacher); a stranger, a forged launch, a launch for
another tool and a replayed one are refused, in French;
`send-grades` puts each notebook's grade in the LMS's gradebook, once, and survives an LMS that fails."""
from __future__ import annotations

import base64
import csv
import html
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import time
from typing import Any, Iterator

import pytest
import requests

import sandbox
from common.paths import PYTHON, ROOT
from tools.remote import Person

HERE = pathlib.Path(__file__).resolve().parent


def why_not_here() -> str:
    if os.geteuid() != 0:
        return "the class server runs as root (accounts, sandboxes, control groups)"
    why = sandbox.unavailable()
    if why:
        return why
    group = sandbox.Group("tp5-essai-lms", 1 << 30, 64, 1.0)
    active = group.active
    group.close()
    return "" if active else "no writable cgroup"


WHY_NOT = why_not_here()
if WHY_NOT and os.environ.get("CI"):
    raise RuntimeError(f"the LMS round trip cannot run: {WHY_NOT}")
pytestmark = pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT)

ROSTER = """identifiant,nom,email,role
lti-prof,Paule Prof,prof@univ.example,enseignant
lti-ana,Ana Martin,ana@etu.example,
lti-ben,Ben Durand,ben@etu.example,
lti-cleo,Cléo Petit,cleo@etu.example,
"""
NOTEBOOK = "01-auto-encodeurs-denses.ipynb"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hub_command(folder: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "hub", *args, "--folder", str(folder)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer 200 in {seconds} s")


class World:
    """The hub in LTI mode, the test LMS, and the class folder."""

    def __init__(self, folder: pathlib.Path, hub: str, lms: str):
        self.folder, self.hub, self.lms = folder, hub, lms

    def launch_form(self, sub: str, email: str = "", login: str = "", role: str = "Learner",
                    aud: str = "") -> tuple[requests.Session, str, dict[str, str]]:
        """A launch from the LMS as a browser makes it, up to the form the LMS's page submits: the hub's
        login initiation, then the LMS's authentication, which answers with the id_token to post to the hub."""
        browser = requests.Session()
        page = browser.get(f"{self.lms}/lancer", params={"sub": sub, "email": email, "login": login, "role": role,
                                                         "aud": aud}, timeout=30)
        assert page.status_code == 200, (page.url, [r.url for r in page.history], page.text[:300])
        action = html.unescape(re.search(r'action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
        fields = {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page.text)}
        return browser, action, fields

    def launch(self, sub: str, email: str = "", login: str = "", role: str = "Learner") -> tuple[requests.Session, requests.Response]:
        """A whole launch: the form posted to the hub."""
        browser, action, fields = self.launch_form(sub, email, login, role)
        return browser, browser.post(action, data=fields, allow_redirects=False, timeout=60)

    def me(self, browser: requests.Session) -> dict[str, Any]:
        answer = browser.get(f"{self.hub}/hub/api/user", timeout=30)
        assert answer.status_code == 200, answer.text
        user: dict[str, Any] = answer.json()
        return user

    def gradebook(self) -> dict[str, Any]:
        book: dict[str, Any] = requests.get(f"{self.lms}/carnet", timeout=10).json()
        return book

    def send_grades(self, notes: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
        return hub_command(self.folder, "send-grades", str(notes), *args)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("lms")
    folder, roster = base / "classe", base / "liste.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    hub_port, lms_port = free_port(), free_port()
    hub, lms = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{lms_port}"
    assert hub_command(folder, "release").returncode == 0
    configured = hub_command(folder, "lti", "--url", hub, "--issuer", lms, "--client-id", "tp5-outil",
                             "--deployment-id", "deploiement-1", "--auth-url", f"{lms}/auth",
                             "--token-url", f"{lms}/token", "--jwks-url", f"{lms}/jwks")
    assert configured.returncode == 0, configured.stderr
    jwks = re.search(r"jeu de clés \(JWKS\) : (\{.*\})$", configured.stdout, re.M)
    assert jwks is not None, configured.stdout
    (base / "outil.jwks").write_text(jwks.group(1), encoding="utf-8")
    platform = subprocess.Popen([PYTHON, str(HERE.parent / "helpers" / "test_lms.py"), str(lms_port), hub,
                                 str(base / "outil.jwks")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    server = subprocess.Popen([PYTHON, "-m", "hub", "serve", str(roster), "--folder", str(folder), "--ip", "127.0.0.1",
                               "--port", str(hub_port)], cwd=ROOT, start_new_session=True,
                              stdout=open(base / "serve.log", "w"), stderr=subprocess.STDOUT)
    try:
        assert platform.stdout is not None and platform.stdout.readline().startswith("prêt")
        wait_for(f"{hub}/hub/api")
        yield World(folder, hub, lms)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        platform.kill()
        platform.wait()


def test_a_student_launched_from_the_lms_is_the_roster_s_person_its_e_mail_names_and_finds_the_kit(world: World) -> None:
    browser, landed = world.launch("moodle-17", email="Ana@etu.example", login="amartin")
    assert landed.status_code == 302, landed.text
    me = world.me(browser)
    assert me["name"] == "lti-ana" and me["admin"] is False
    launches = json.loads((world.folder / "hub" / "lti-lancements.json").read_text(encoding="utf-8"))
    assert launches["lti-ana"]["sub"] == "moodle-17"
    assert launches["lti-ana"]["ags"]["lineitems"] == f"{world.lms}/lineitems"
    # Her JupyterLab starts, in her sandbox, with the kit in it.
    ana = Person(world.hub, "lti-ana", password="", session=browser)
    ana.take_token()
    ana.start_server()
    kit = ana.jupyter.request("GET", "api/contents/tp5")
    assert kit.status_code == 200, kit.text
    assert {NOTEBOOK, "LISEZ-MOI.md"} <= {item["name"] for item in kit.json()["content"]}
    ana.stop_server()


def test_the_roster_makes_the_teacher_not_the_lti_role(world: World) -> None:
    browser, _ = world.launch("moodle-3", email="ben@etu.example", role="Instructor")
    assert world.me(browser)["admin"] is False
    browser, _ = world.launch("moodle-1", email="prof@univ.example", role="Learner")
    assert world.me(browser)["admin"] is True


def refused_in_french(answer: requests.Response, status: int) -> str:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    page = html.unescape(answer.content.decode())
    assert "Accès refusé" in page
    return page


def test_a_stranger_and_launches_that_do_not_verify_are_refused_in_french(world: World) -> None:
    browser, refused = world.launch("moodle-99", email="mallory@ailleurs.example")
    page = refused_in_french(refused, 403)
    assert "« mallory@ailleurs.example » (l'adresse e-mail" in page and "n'est pas sur la liste de la classe" in page
    assert browser.get(f"{world.hub}/hub/api/user", timeout=30).status_code in (401, 403)
    unverified = "Ce lancement n'a pas pu être vérifié"

    # Mallory's own launch, its id_token's e-mail changed to the teacher's: the signature no longer holds.
    browser, action, fields = world.launch_form("moodle-99", email="mallory@ailleurs.example")
    header, payload, signature = fields["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "prof@univ.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    answer = browser.post(action, data={**fields, "id_token": f"{header}.{forged}.{signature}"}, allow_redirects=False,
                          timeout=30)
    assert unverified in refused_in_french(answer, 400)
    assert browser.get(f"{world.hub}/hub/api/user", timeout=30).status_code in (401, 403)

    # A launch the LMS signed for another tool (another client id): the wrong audience.
    browser, action, fields = world.launch_form("moodle-4", email="cleo@etu.example", aud="un-autre-outil")
    assert unverified in refused_in_french(browser.post(action, data=fields, allow_redirects=False, timeout=30), 401)

    # Ben's launch, posted again after it served (replayed nonce), then by someone else who caught the form.
    browser, action, fields = world.launch_form("moodle-3", email="ben@etu.example")
    assert browser.post(action, data=fields, allow_redirects=False, timeout=30).status_code == 302
    assert unverified in refused_in_french(browser.post(action, data=fields, allow_redirects=False, timeout=30), 400)
    thief = requests.Session()
    assert unverified in refused_in_french(thief.post(action, data=fields, allow_redirects=False, timeout=30), 400)
    assert thief.get(f"{world.hub}/hub/api/user", timeout=30).status_code in (401, 403)


def grades_csv(notes: pathlib.Path, rows: list[dict[str, str]]) -> None:
    notes.mkdir(parents=True, exist_ok=True)
    header = ["student", "notebook", "auto_points", "auto_max", "q1.1", "q1.4", "redige_1.3", "manual_points", "total", "notes"]
    with open(notes / "grades.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, header)
        writer.writeheader()
        writer.writerows(rows)



def test_send_grades_puts_each_grade_in_the_gradebook_once_and_survives_a_failing_lms(world: World,
                                                                                       tmp_path: pathlib.Path) -> None:
    notes = tmp_path / "notes"
    rows = [
        {"student": "lti-ana", "notebook": NOTEBOOK, "auto_points": "7", "auto_max": "7", "q1.1": "1", "q1.4": "1",
         "redige_1.3": "rédigée", "manual_points": "1", "total": "8", "notes": ""},
        {"student": "lti-ben", "notebook": NOTEBOOK, "auto_points": "5", "auto_max": "7", "q1.1": "0", "q1.4": "1",
         "redige_1.3": "rédigée", "manual_points": "", "total": "5", "notes": ""},
        {"student": "lti-cleo", "notebook": NOTEBOOK, "auto_points": "6", "auto_max": "7", "q1.1": "1", "q1.4": "1",
         "redige_1.3": "vide", "manual_points": "", "total": "6", "notes": ""},
    ]
    grades_csv(notes, rows)

    tried = world.send_grades(notes, "--dry-run")
    assert tried.returncode == 0, tried.stderr
    assert f"[lms] lti-ana/{NOTEBOOK} : à envoyer : 8/8 à moodle-17" in tried.stdout
    assert f"[lms] lti-cleo/{NOTEBOOK} : ignoré : lti-cleo n'est jamais venu depuis le LMS" in tried.stdout
    assert world.gradebook() == {"lineitems": [], "scores": []}

    sent = world.send_grades(notes)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert f"[lms] lti-ben/{NOTEBOOK} : envoyé : 5/8 (réponses rédigées pas encore notées)" in sent.stdout
    book = world.gradebook()
    assert [(item["tag"], item["scoreMaximum"]) for item in book["lineitems"]] == [("tp5-01-auto-encodeurs-denses", 8)]
    by_user = {score["userId"]: score for score in book["scores"]}
    assert (by_user["moodle-17"]["scoreGiven"], by_user["moodle-17"]["gradingProgress"]) == (8, "FullyGraded")
    assert (by_user["moodle-3"]["scoreGiven"], by_user["moodle-3"]["gradingProgress"]) == (5, "PendingManual")
    assert "questions à revoir : 1.1" in by_user["moodle-3"]["comment"]

    again = world.send_grades(notes)
    assert again.returncode == 0
    assert f"[lms] lti-ana/{NOTEBOOK} : déjà envoyé, inchangé" in again.stdout
    assert world.gradebook() == book

    # Ben's written answer graded; the LMS answers 503 twice, then works: retried, sent.
    rows[1].update(manual_points="1", total="6")
    grades_csv(notes, rows)
    requests.post(f"{world.lms}/panne", params={"count": 2, "status": 503}, timeout=10)
    retried = world.send_grades(notes)
    assert retried.returncode == 0, retried.stdout
    assert f"[lms] lti-ben/{NOTEBOOK} : envoyé : 6/8" in retried.stdout
    assert [s["scoreGiven"] for s in world.gradebook()["scores"] if s["userId"] == "moodle-3"] == [5, 6]

    # The LMS down for good: kept in the outbox, said, and sent by the next run once it is back.
    rows[0].update(manual_points="0.5", total="7.5")
    grades_csv(notes, rows)
    requests.post(f"{world.lms}/panne", params={"count": 50, "status": 502}, timeout=10)
    failed = world.send_grades(notes, "--retries", "2")
    assert failed.returncode == 1
    assert f"[lms] lti-ana/{NOTEBOOK} : échec : le LMS a répondu 502 (2 essais) ; gardé pour le prochain envoi" in failed.stdout
    outbox = json.loads((notes / "envoi-lms.json").read_text(encoding="utf-8"))
    assert outbox[f"lti-ana/{NOTEBOOK}"]["state"] == "à renvoyer"
    requests.post(f"{world.lms}/panne", params={"count": 0}, timeout=10)
    resumed = world.send_grades(notes)
    assert resumed.returncode == 0, resumed.stdout
    assert f"[lms] lti-ana/{NOTEBOOK} : envoyé : 7,5/8" in resumed.stdout
    assert len(world.gradebook()["lineitems"]) == 1


def test_the_lti_settings_are_checked_before_anything_is_written(world: World) -> None:
    wrong = hub_command(world.folder, "lti", "--url", "tp5.example", "--issuer", world.lms, "--client-id", "x",
                        "--deployment-id", "1", "--auth-url", f"{world.lms}/auth", "--token-url", f"{world.lms}/token",
                        "--jwks-url", f"{world.lms}/jwks", "--claim", "courriel")
    assert wrong.returncode == 2
    assert "--url tp5.example : une adresse http(s):// est attendue" in wrong.stderr
    missing = hub_command(world.folder, "lti", "--issuer", world.lms)
    assert "il manque --url, --client-id, --deployment-id, --auth-url, --token-url, --jwks-url" in missing.stderr
    # Before the LMS knows the tool, --url alone: what its form needs, the tool's key; nothing changed.
    first = hub_command(world.folder, "lti", "--url", "https://tp5.univ.example/")
    assert first.returncode == 0, first.stderr
    assert "URL de connexion (initiate login) : https://tp5.univ.example/hub/lti13/oauth_login" in first.stdout
    assert "URI de redirection : https://tp5.univ.example/hub/lti13/oauth_callback" in first.stdout
    assert "-----BEGIN PUBLIC KEY-----" in first.stdout
    settings = json.loads((world.folder / "hub" / "lti.json").read_text(encoding="utf-8"))
    assert (settings["client_id"], settings["tool_url"]) == ("tp5-outil", world.hub)
    unknown = hub_command(world.folder, "send-grades", str(world.folder / "nulle-part"))
    assert unknown.returncode == 2 and "grades.csv n'existe pas" in unknown.stderr
