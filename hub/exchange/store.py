"""What the exchange keeps, on disk in the class folder: the released kit, every hand-in with its
receipt, the feedback pages returned, the deadline. Only the exchange service and the teacher's
commands (both root) touch it; no student's sandbox shows any of it.

A hand-in is never replaced: each one gets a folder of its own, named by the time it arrived, holding
the notebook and its receipt; it is written under a temporary name and renamed once complete, so a
reader never sees half of one. Who handed in is the caller's business (the service takes it from the
hub's token, never from the request): this module only keeps each person's files apart."""
from __future__ import annotations

import hashlib
import json
import pathlib
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime

from ..json_files import write_atomically
from ..layout import ClassFolder
from .dates import french_datetime, now

#: The notebooks of the TP and the guide, as the kit names them.
KIT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(ipynb|md)$")
FEEDBACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.html$")
MAX_NOTEBOOK_BYTES = 64 * 1024 ** 2
#: Every hand-in is kept; this bounds what one person can make the server keep.
MAX_BYTES_PER_PERSON = 1024 ** 3
RECEIPT = "recu.json"


class Refused(Exception):
    """A request the exchange turns down, with the French sentence that says why."""


@dataclass(frozen=True)
class Receipt:
    notebook: str
    number: int
    time: str
    size: int
    sha256: str
    late: bool
    deadline: str

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.time)

    def sentence(self) -> str:
        """The receipt as the student reads it."""
        text = (f"{self.notebook} rendu le {french_datetime(self.when)} (rendu n° {self.number}"
                + (" ; les rendus précédents sont conservés)" if self.number > 1 else ")"))
        if self.late:
            text += f". En retard : la date limite était le {french_datetime(datetime.fromisoformat(self.deadline))}"
        return text + "."


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def listing(folder: pathlib.Path, pattern: re.Pattern[str]) -> list[StoredFile]:
    if not folder.is_dir():
        return []
    return [StoredFile(p.name, p.stat().st_size, sha256(p.read_bytes()))
            for p in sorted(folder.iterdir()) if p.is_file() and pattern.match(p.name)]


def read_named(folder: pathlib.Path, pattern: re.Pattern[str], name: str) -> bytes:
    """A file of `folder` by its name alone (no path: a name the pattern refuses is not looked for)."""
    if not pattern.match(name) or not (folder / name).is_file():
        raise Refused(f"« {name} » n'existe pas")
    return (folder / name).read_bytes()


class Exchange:
    def __init__(self, folder: ClassFolder):
        self.folder = folder

    # The kit -----------------------------------------------------------------------------------

    def kit_files(self) -> list[StoredFile]:
        return listing(self.folder.kit, KIT_NAME)

    def kit_file(self, name: str) -> bytes:
        return read_named(self.folder.kit, KIT_NAME, name)

    def notebook_names(self) -> list[str]:
        return [f.name for f in self.kit_files() if f.name.endswith(".ipynb")]

    def release(self, files: dict[str, bytes]) -> None:
        """Replaces the kit with `files` at once (students who have the earlier one keep their copy)."""
        wrong = [name for name in files if not KIT_NAME.match(name)]
        if wrong:
            raise Refused(f"noms de fichier refusés dans le kit : {', '.join(wrong)}")
        staging = pathlib.Path(tempfile.mkdtemp(dir=self.folder.exchange, prefix=".kit-"))
        for name, data in files.items():
            (staging / name).write_bytes(data)
            (staging / name).chmod(0o644)
        staging.chmod(0o755)
        previous = self.folder.exchange / ".kit-precedent"
        shutil.rmtree(previous, ignore_errors=True)
        if self.folder.kit.exists():
            self.folder.kit.rename(previous)
        staging.rename(self.folder.kit)
        shutil.rmtree(previous, ignore_errors=True)

    # The deadline ------------------------------------------------------------------------------

    def deadline(self) -> datetime | None:
        if not self.folder.class_file.exists():
            return None
        value = json.loads(self.folder.class_file.read_text(encoding="utf-8")).get("date_limite")
        return datetime.fromisoformat(value) if value else None

    def set_deadline(self, when: datetime | None) -> None:
        data = {"date_limite": when.isoformat() if when else None}
        write_atomically(self.folder.class_file, json.dumps(data, indent=2).encode())

    # Hand-ins ----------------------------------------------------------------------------------

    def hand_in(self, identifier: str, notebook: str, content: bytes) -> Receipt:
        """Keeps one more hand-in of `notebook` by `identifier`, timestamped now; Refused says why not."""
        if notebook not in self.notebook_names():
            allowed = ", ".join(self.notebook_names()) or "aucun : le kit n'a pas encore été distribué"
            raise Refused(f"« {notebook} » n'est pas un carnet du TP (carnets attendus : {allowed})")
        if len(content) > MAX_NOTEBOOK_BYTES:
            raise Refused(f"le carnet fait {len(content) / 1024 ** 2:.0f} Mo, plus que les "
                          f"{MAX_NOTEBOOK_BYTES // 1024 ** 2} Mo permis : effacez les sorties les plus lourdes")
        check_notebook(content)
        folder = self.folder.handins(identifier)
        used = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
        if used + len(content) > MAX_BYTES_PER_PERSON:
            raise Refused("votre espace de rendus est plein : prévenez votre enseignant")
        arrived = now()
        deadline = self.deadline()
        earlier = [r for r in self.receipts(identifier) if r.notebook == notebook]
        receipt = Receipt(notebook, len(earlier) + 1, arrived.isoformat(), len(content), sha256(content),
                          deadline is not None and arrived > deadline, deadline.isoformat() if deadline else "")
        folder.mkdir(parents=True, exist_ok=True)
        staging = pathlib.Path(tempfile.mkdtemp(dir=folder, prefix=".tmp-"))
        (staging / notebook).write_bytes(content)
        (staging / RECEIPT).write_text(json.dumps(asdict(receipt), ensure_ascii=False, indent=2), encoding="utf-8")
        staging.rename(folder / f"{arrived.strftime('%Y%m%dT%H%M%S.%f')}-{pathlib.Path(notebook).stem}")
        return receipt

    def stored(self, identifier: str) -> list[tuple[Receipt, pathlib.Path]]:
        """Every hand-in of a person, oldest first: its receipt and the notebook kept."""
        folder = self.folder.handins(identifier)
        if not folder.is_dir():
            return []
        found = [(Receipt(**json.loads((d / RECEIPT).read_text(encoding="utf-8"))), d)
                 for d in folder.iterdir() if not d.name.startswith(".") and (d / RECEIPT).is_file()]
        found.sort(key=lambda pair: (pair[0].time, pair[0].number))
        return [(receipt, d / receipt.notebook) for receipt, d in found]

    def receipts(self, identifier: str) -> list[Receipt]:
        return [receipt for receipt, _ in self.stored(identifier)]

    def chosen(self, identifier: str, on_time: bool) -> dict[str, tuple[Receipt, pathlib.Path, int]]:
        """Notebook → the hand-in to grade (the latest; with `on_time`, the latest before the deadline
        where there is one), its notebook and how many hand-ins there were of it."""
        by_notebook: dict[str, list[tuple[Receipt, pathlib.Path]]] = {}
        for receipt, path in self.stored(identifier):
            by_notebook.setdefault(receipt.notebook, []).append((receipt, path))
        chosen = {}
        for notebook, kept in sorted(by_notebook.items()):
            in_time = [pair for pair in kept if not pair[0].late]
            receipt, path = (in_time if on_time and in_time else kept)[-1]
            chosen[notebook] = (receipt, path, len(kept))
        return chosen

    # Feedback ----------------------------------------------------------------------------------

    def return_feedback(self, identifier: str, name: str, page: bytes) -> None:
        if not FEEDBACK_NAME.match(name):
            raise Refused(f"nom de page de retour refusé : {name}")
        write_atomically(self.folder.feedback(identifier) / name, page)

    def feedback_files(self, identifier: str) -> list[StoredFile]:
        return listing(self.folder.feedback(identifier), FEEDBACK_NAME)

    def feedback_file(self, identifier: str, name: str) -> bytes:
        return read_named(self.folder.feedback(identifier), FEEDBACK_NAME, name)


def check_notebook(content: bytes) -> None:
    """A hand-in must be a Jupyter notebook (format 4) that nbformat validates."""
    import nbformat  # here: its schema checks take seconds to load, which the teacher's commands never need

    try:
        notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except UnicodeDecodeError:
        raise Refused("le fichier rendu n'est pas du texte UTF-8 : ce n'est pas un carnet Jupyter") from None
    except Exception as error:  # nbformat raises several kinds for a file that is not a notebook
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise Refused(f"le fichier rendu n'est pas un carnet Jupyter valide ({first[:200]})") from None
