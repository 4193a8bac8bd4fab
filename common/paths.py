"""Where the project's files are."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
#: The project's Python environment (made by scripts/setup.mjs): Jupyter, nbconvert, the kernels' tools.
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
