"""Hints for the teacher that no verdict makes certain, added once the judge has spoken."""
import re

from common.conventions import tp5

from ..lab_notebook import QUESTIONS
from .handin import HandIn

#: The answers that train models, where naming the test images means training on them.
TRAINING_ANSWERS = [question for question, spec in QUESTIONS.items() if spec.get("trainsModels")]
TEST_IMAGES = re.compile(r"\b(xTest|xNoisyTest)\b|\.test\b")
COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def note_test_images_named(handin: HandIn) -> None:
    """A note for each training answer whose code (comments aside) names the test images, when its
    question passed: the judge fails a training whose history shows test images (certain), and this
    hint is for the trainings it could not see (a loop of one's own)."""
    for question in TRAINING_ANSWERS:
        verdict = handin.graded.verdict(question)
        if verdict is None or not verdict.passed:
            continue
        if any(tp5(c).get("answer") == question and TEST_IMAGES.search(COMMENTS.sub("", c.source))
               for c in handin.notebook.cells if c.cell_type == "code"):
            handin.note("test-images", "la réponse nomme les images de test : entraînement sur les images de test ? (à vérifier)", question)
