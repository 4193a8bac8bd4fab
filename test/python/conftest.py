"""The Python tests import the project's packages (hub, grader) from the project's root."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
