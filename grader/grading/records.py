"""What grading a hand-in produces, as typed records: each question's verdict and its points, the notes
for the teacher, and the hand-in's result (saved as graded.json, read back by the class's files)."""
from dataclasses import asdict, dataclass, field
from typing import Literal

#: right: a point that holds; wrong: a point to revise; note: what the judge suspects but cannot make
#: certain, for the teacher, failing nothing.
PointKind = Literal["right", "wrong", "note"]


@dataclass
class Point:
    kind: PointKind
    text: str


@dataclass
class Verdict:
    """A question's verdict, as the judge (lib/coursework/judge.ts) gives it."""
    question: str
    passed: bool
    points: list[Point] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Read back from JSON, the points are plain dicts.
        self.points = [p if isinstance(p, Point) else Point(**p) for p in self.points]

    def texts(self, kind: PointKind) -> list[str]:
        return [point.text for point in self.points if point.kind == kind]


#: given-cell: a given cell changed or deleted, put back; test-images: an answer's code names the test
#: images; run: the notebook's run as a whole (time limit, unreadable results, where it stopped); cell:
#: a cell that failed, ran too long or printed too much; judge: the judge's own (a note of its, or why it
#: could not judge); unreadable: the hand-in could not be read at all.
NoteKind = Literal["given-cell", "test-images", "run", "cell", "judge", "unreadable"]


@dataclass
class Note:
    """A note for the teacher (and the student's feedback page): what happened, where."""
    kind: NoteKind
    message: str
    #: The question it concerns ("": the notebook as a whole).
    question: str = ""
    #: The cell it happened in (None: no one cell).
    cell: int | None = None

    @property
    def text(self) -> str:
        """« cellule 40 (question 1.6) : message », « message (question 1.4) » or the message alone."""
        question = f"question {self.question}" if self.question else ""
        if self.cell is not None:
            return f"cellule {self.cell}{f' ({question})' if question else ''} : {self.message}"
        return f"{self.message} ({question})" if question else self.message


@dataclass
class Graded:
    """A hand-in's result."""
    student: str
    notebook: str
    part: int
    verdicts: list[Verdict] = field(default_factory=list)
    #: Each written answer's question → what the student wrote.
    written: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    #: What the hand-in's content and the grader's version hash to (cache.py).
    key: str = ""

    def __post_init__(self) -> None:
        self.verdicts = [v if isinstance(v, Verdict) else Verdict(**v) for v in self.verdicts]
        self.notes = [n if isinstance(n, Note) else Note(**n) for n in self.notes]

    @property
    def points(self) -> int:
        return sum(v.passed for v in self.verdicts)

    def verdict(self, question: str) -> Verdict | None:
        return next((v for v in self.verdicts if v.question == question), None)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def one_line(text: str, limit: int = 300) -> str:
    """A message on one line (a check's message spans several), cut at `limit` characters."""
    flat = " ".join(line.strip() for line in (text or "").splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
