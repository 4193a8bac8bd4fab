"""`send-grades`: each student's grade per notebook, from `npm run grade`'s NOTES/grades.csv, into the
LMS's gradebook through LTI Advantage's Assignment and Grade Services (pylti1p3 on the tool's side).

One line item per notebook of the course (found again by its tag on the next run, created once), one
score per student and notebook: the points (automatic, and the teacher's for the written answers), the
maximum, « en attente de notation » while written answers are not graded yet, and a comment in French.
Every send is kept in NOTES/envoi-lms.json (the outbox): a score already sent unchanged is not sent
again, one that failed (the LMS down, a 5xx, a time-out, after retries with a growing pause) stays
there and goes at the next run. A student who never came from the LMS has no LMS identity yet: skipped,
and said so."""
from __future__ import annotations

import csv
import pathlib
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector

from .json_files import read_json, write_json
from .layout import ClassFolder
from .lti import Launch, LtiSettings, read_launches, tool_key

OUTBOX = "envoi-lms.json"
#: Seconds each request to the LMS may take.
REQUEST_SECONDS = 20
#: After this many students in a row whose sends all failed, the LMS is taken as down: the others wait.
DOWN_AFTER = 3


def french(number: float) -> str:
    """« 7 », « 7,5 »."""
    return f"{number:g}".replace(".", ",")


@dataclass(frozen=True)
class Score:
    """One student's grade for one notebook, as it goes to the LMS."""
    student: str
    notebook: str
    given: float
    maximum: float
    #: FullyGraded, or PendingManual while the written answers have no points yet.
    progress: str
    comment: str

    @property
    def key(self) -> str:
        return f"{self.student}/{self.notebook}"

    @property
    def shown(self) -> str:
        points = f"{french(self.given)}/{french(self.maximum)}"
        return points + (" (réponses rédigées pas encore notées)" if self.progress == "PendingManual" else "")


def read_scores(notes: pathlib.Path) -> list[Score]:
    """A score per row of NOTES/grades.csv."""
    path = notes / "grades.csv"
    if not path.exists():
        raise ValueError(f"{path} n'existe pas : donnez le dossier --out de npm run grade")
    with open(path, newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    scores = []
    for line, row in enumerate(rows, 2):
        try:
            automatic, automatic_max = float(row["auto_points"]), float(row["auto_max"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path}, ligne {line} : ce n'est pas un grades.csv de npm run grade "
                             "(colonnes auto_points et auto_max attendues)") from None
        written = [key for key, value in row.items() if key.startswith("redige_") and value]
        manual = (row.get("manual_points") or "").strip()
        revise = [key[1:] for key, value in row.items() if key.startswith("q") and value == "0"]
        notebook = row["notebook"]
        comment = (f"Correction automatique : {french(automatic)}/{french(automatic_max)}"
                   + (f", questions à revoir : {', '.join(revise)}" if revise else ", tout est juste")
                   + (f" ; réponses rédigées : {french(float(manual))} point(s)" if manual else "")
                   + f". Le retour détaillé est dans votre JupyterLab : tp5/retours/{pathlib.Path(notebook).stem}.html")
        scores.append(Score(row["student"], notebook, automatic + (float(manual) if manual else 0),
                            automatic_max + len(written), "PendingManual" if written and not manual else "FullyGraded",
                            comment))
    return scores


class TimedSession(requests.Session):
    """Every request to the LMS bounded in time (pylti1p3 sets no time-out of its own)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", REQUEST_SECONDS)
        return super().request(*args, **kwargs)


def connector(lti: LtiSettings, folder: ClassFolder) -> ServiceConnector:
    key = tool_key(folder.lti_key)
    registration = (Registration().set_issuer(lti.issuer).set_client_id(lti.client_id)
                    .set_auth_token_url(lti.token_url).set_key_set_url(lti.jwks_url)
                    .set_tool_private_key(key.private_pem).set_tool_public_key(key.public_pem))
    return ServiceConnector(registration, requests_session=TimedSession())


def line_item(score: Score) -> LineItem:
    stem = pathlib.Path(score.notebook).stem
    return (LineItem().set_tag(f"tp5-{stem}").set_resource_id(stem).set_score_maximum(score.maximum)
            .set_label(f"TP5 — {stem.replace('-', ' ')}"))


def send_one(score: Score, launch: Launch, service: ServiceConnector, items: dict[tuple[str, str], LineItem]) -> None:
    """The score into the student's course: its line item found or made once per run, then the score."""
    grades = AssignmentsGradesService(service, launch.ags)  # type: ignore[arg-type]
    wanted = line_item(score)
    place = (str(launch.ags.get("lineitems", "")), str(wanted.get_tag()))
    if place not in items:
        items[place] = grades.find_or_create_lineitem(wanted)
    grade = (Grade().set_score_given(score.given).set_score_maximum(score.maximum).set_user_id(launch.sub)
             .set_timestamp(datetime.now(timezone.utc).isoformat(timespec="milliseconds"))
             .set_activity_progress("Completed").set_grading_progress(score.progress).set_comment(score.comment))
    grades.put_grade(grade, items[place])


def why_failed(error: Exception) -> str:
    if isinstance(error, LtiServiceException):
        return f"le LMS a répondu {error.response.status_code}"
    if isinstance(error, requests.Timeout):
        return f"le LMS n'a pas répondu en {REQUEST_SECONDS} s"
    if isinstance(error, requests.ConnectionError):
        return "le LMS est injoignable"
    return str(error) or type(error).__name__


def with_retries(send: Callable[[], None], attempts: int, pause: float) -> str:
    """Runs `send` until it works, at most `attempts` times, the pause doubling each time; why it never
    worked ("" when it did). A refusal that retrying cannot change (4xx but 429, a missing scope) is not retried."""
    why = ""
    for attempt in range(attempts):
        try:
            send()
            return ""
        except (LtiException, requests.RequestException, ValueError) as error:
            why = why_failed(error)
            status = error.response.status_code if isinstance(error, LtiServiceException) else 0
            if (400 <= status < 500 and status != 429) or (isinstance(error, LtiException) and not status):
                return why
        if attempt + 1 < attempts:
            time.sleep(pause * 2 ** attempt)
    return f"{why} ({attempts} essais)"


@dataclass
class Sent:
    """An outbox entry: the last score sent, or still to send, for one student and notebook."""
    given: float
    maximum: float
    progress: str
    comment: str
    #: envoyé, or à renvoyer (with why).
    state: str
    when: str
    why: str = ""

    def same(self, score: Score) -> bool:
        return (self.state == "envoyé" and (self.given, self.maximum, self.progress, self.comment)
                == (score.given, score.maximum, score.progress, score.comment))


def send_grades(notes: pathlib.Path, folder: ClassFolder, dry_run: bool, attempts: int = 4, pause: float = 1.0,
                say: Callable[[str], None] = print) -> int:
    """Sends what is not in the LMS yet; says, per student and notebook, what was sent, skipped or kept
    for the next run. Returns the number of scores left to send."""
    lti = LtiSettings.read(folder.lti_file)
    if lti is None:
        raise ValueError(f"{folder.root} n'est pas relié à un LMS : configurez-le d'abord (npm run hub -- lti …)")
    scores = read_scores(notes)
    launches = read_launches(folder.launches_file)
    outbox_path = notes / OUTBOX
    outbox = {key: Sent(**entry) for key, entry in read_json(outbox_path).items()}
    service = connector(lti, folder)
    items: dict[tuple[str, str], LineItem] = {}
    left = down_streak = 0
    counts = {"envoyé": 0, "inchangé": 0, "ignoré": 0, "à renvoyer": 0}
    for score in scores:
        launch = launches.get(score.student)
        if launch is None:
            say(f"[lms] {score.key} : ignoré : {score.student} n'est jamais venu depuis le LMS (pas d'identité LMS)")
            counts["ignoré"] += 1
            continue
        earlier = outbox.get(score.key)
        if earlier is not None and earlier.same(score):
            say(f"[lms] {score.key} : déjà envoyé, inchangé ({score.shown})")
            counts["inchangé"] += 1
            continue
        if not launch.ags.get("lineitems") or "https://purl.imsglobal.org/spec/lti-ags/scope/score" not in launch.ags.get("scope", []):
            say(f"[lms] {score.key} : ignoré : le cours de ce lancement n'ouvre pas son carnet de notes à l'outil "
                "(service de notes LTI Advantage désactivé dans l'activité)")
            counts["ignoré"] += 1
            continue
        if dry_run:
            say(f"[lms] {score.key} : à envoyer : {score.shown} à {launch.sub} ({launch.course or launch.issuer})")
            continue
        why = ("le LMS ne répond plus (plusieurs élèves de suite en échec) : pas essayé" if down_streak >= DOWN_AFTER
               else with_retries(lambda: send_one(score, launch, service, items), attempts, pause))
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if why:
            outbox[score.key] = Sent(score.given, score.maximum, score.progress, score.comment, "à renvoyer", now, why)
            say(f"[lms] {score.key} : échec : {why} ; gardé pour le prochain envoi")
            counts["à renvoyer"] += 1
            left += 1
            down_streak += 1
        else:
            outbox[score.key] = Sent(score.given, score.maximum, score.progress, score.comment, "envoyé", now)
            say(f"[lms] {score.key} : envoyé : {score.shown}")
            counts["envoyé"] += 1
            down_streak = 0
        write_json(outbox_path, {key: asdict(entry) for key, entry in outbox.items()})
    if dry_run:
        say(f"[lms] essai à blanc : rien n'a été envoyé ({len(scores)} notes lues dans {notes / 'grades.csv'})")
    else:
        say(f"[lms] {counts['envoyé']} envoyées, {counts['inchangé']} déjà à jour, {counts['ignoré']} ignorées, "
            f"{counts['à renvoyer']} à renvoyer" + (" : relancez la même commande plus tard" if left else ""))
    return left
