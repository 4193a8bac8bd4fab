"""Running notebooks in a fresh tslab kernel."""
import os
import pathlib
import re
import sys
import threading
import time
from dataclasses import dataclass, field

import nbclient
import nbformat


class NotebookFailed(Exception):
    pass


class KernelDied(Exception):
    """The kernel died (a crash, the memory limit) while running cell `index`, or stopped answering
    (`frozen`: neither the stop signal nor a message reached it) and was ended."""

    def __init__(self, index: int, frozen: bool = False):
        super().__init__(f"le noyau {'ne répondait plus' if frozen else 's’est arrêté'} pendant la cellule {index}")
        self.index = index
        self.frozen = frozen
        #: The run up to that cell (set by execute).
        self.partial: "Execution | None" = None


#: After a cell's time limit and the stop signal, how long a kernel has to answer a message before it is
#: taken for frozen (stopped by SIGSTOP, or deaf to the stop signal) and ended.
ANSWER_SECONDS = 15


class DeadlineReached(Exception):
    """The notebook's own deadline came before cell `index` started."""

    def __init__(self, index: int):
        super().__init__(f"délai du carnet atteint avant la cellule {index}")
        self.index = index


@dataclass
class CellError:
    index: int
    name: str
    message: str


@dataclass
class Execution:
    notebook: nbformat.NotebookNode
    errors: list = field(default_factory=list)
    #: Indices of the cells stopped by the per-cell time limit.
    timeouts: list = field(default_factory=list)
    #: The cell before which the deadline stopped the run (None: every cell ran).
    stopped_before: int = None
    #: The processor time the kernel spent on each cell, in seconds (every thread of it; Linux only).
    cpu_seconds: dict = field(default_factory=dict)


def kernel_cpu_seconds(client: nbclient.NotebookClient):
    """The processor time the kernel's process has used so far, all its threads and ended children
    included, in seconds; None where it cannot be read (no /proc, no kernel process)."""
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    try:
        # The fields after the command's closing parenthesis: utime, stime, cutime, cstime are the 12th to 15th.
        fields = pathlib.Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError, ValueError):
        return None


#: TensorFlow's start-up lines on the kernel's stderr, in English and of no use to a student (« oneDNN
#: custom operations are on… »): TensorFlow writes them before it reads TF_CPP_MIN_LOG_LEVEL.
TENSORFLOW_START_UP = re.compile(r"^(WARNING: All log messages before absl::InitializeLog|[IW]\d{4} [\d:.]+ +\d+ \S+:\d+\] )")


class KernelStderr:
    """The kernel's error stream, passed on to ours less TensorFlow's start-up lines."""

    def __enter__(self) -> int:
        reader, self.writer = os.pipe()
        self.thread = threading.Thread(target=self.relay, args=(reader,), daemon=True)
        self.thread.start()
        return self.writer

    @staticmethod
    def relay(reader: int) -> None:
        with open(reader, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if not TENSORFLOW_START_UP.match(line):
                    sys.stderr.write(line)

    def __exit__(self, *_) -> None:
        # The kernel has ended: once our end is closed too, the relay reads the rest and stops.
        os.close(self.writer)
        self.thread.join(timeout=5)


def first_meaningful_line(text: str) -> str:
    """The line of an error report that says what went wrong (tslab prints stack traces on stderr); a
    line that announces the next one (« … ne compile pas : ») comes with it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    index = next((i for i, line in enumerate(lines) if re.match(r"^(\w*Error|\d+:\d+ - )", line)), 0)
    if not lines:
        return ""
    if lines[index].endswith(":") and index + 1 < len(lines):
        return f"{lines[index]} {lines[index + 1]}"
    return lines[index]


def cell_errors(notebook: nbformat.NotebookNode, failed=None) -> list:
    """The cells that failed (`failed`: their indices, from the kernel's replies; by default every cell
    with an error output or text on stderr), each with its error or what it printed on stderr (tslab
    reports errors there). A cell that only warns on stderr is not among `failed`."""
    errors = []
    for index, cell in enumerate(notebook.cells):
        if failed is not None and index not in failed:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(CellError(index, output.get("ename", ""), output.get("evalue", "")))
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                errors.append(CellError(index, "stderr", first_meaningful_line(output.get("text", ""))))
        if failed is not None and not any(e.index == index for e in errors):
            errors.append(CellError(index, "error", "la cellule a échoué"))
    return errors


def describe(error: CellError) -> str:
    """« Error: message », or the message alone for what the kernel printed on stderr."""
    return error.message if error.name == "stderr" else f"{error.name}: {error.message}"


def clear_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def execute(notebook: nbformat.NotebookNode, folder: pathlib.Path, timeout: int, allow_errors: bool = False,
            quick: bool = False, deadline: float = None, after_cell=None) -> Execution:
    """Runs every cell in order with the working directory `folder`, as JupyterLab would.

    With allow_errors=False the first failing cell raises NotebookFailed; otherwise execution goes on,
    a cell that runs longer than `timeout` seconds is interrupted (as the stop button does) and the
    next one runs, and the failing and interrupted cells are listed in the result; a kernel that then
    answers nothing within ANSWER_SECONDS is ended (KernelDied, frozen). No cell starts after `deadline`
    (a time.monotonic() value): the run ends there, with what the cells before it did. `after_cell(index,
    cell)`, when given, is called as soon as each cell has run, before the next one starts.
    """
    previous = os.environ.get("TP5_QUICK")
    if quick:
        os.environ["TP5_QUICK"] = "1"
    failed, started, timeouts = set(), {}, []
    cpu_started, cpu_seconds = {}, {}

    async def on_start(cell_index, **_):
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlineReached(cell_index)
        started[cell_index] = time.monotonic()
        cpu_started[cell_index] = kernel_cpu_seconds(client)

    async def on_executed(cell_index, cell, **_):
        if time.monotonic() - started.get(cell_index, time.monotonic()) >= timeout:
            timeouts.append(cell_index)
            if not await answers(client):
                await client.km.shutdown_kernel(now=True)
                raise KernelDied(cell_index, frozen=True)
        cpu_now = kernel_cpu_seconds(client)
        if cpu_now is not None and cpu_started.get(cell_index) is not None:
            cpu_seconds[cell_index] = cpu_now - cpu_started[cell_index]
        if after_cell is not None:
            after_cell(cell_index, cell)

    async def on_error(cell_index, **_):
        failed.add(cell_index)

    client = nbclient.NotebookClient(
        notebook, timeout=timeout, kernel_name="tslab", allow_errors=allow_errors, interrupt_on_timeout=allow_errors,
        # After the stop signal, the cell counts as failed at once; on_executed then asks whether the kernel answers.
        error_on_timeout={"ename": "Timeout", "evalue": f"arrêtée au bout de {timeout} s"} if allow_errors else None,
        resources={"metadata": {"path": str(folder)}},
        on_cell_start=on_start, on_cell_executed=on_executed, on_cell_error=on_error,
    )
    stopped_before = None
    try:
        with KernelStderr() as kernel_stderr:
            client.execute(stderr=kernel_stderr)
    except DeadlineReached as reached:
        stopped_before = reached.index
    except (KernelDied, nbclient.exceptions.DeadKernelError) as error:
        death = error if isinstance(error, KernelDied) else KernelDied(max(started, default=-1))
        # What ran before: the notebook's outputs so far, and its failed cells.
        death.partial = Execution(notebook, cell_errors(notebook, failed | set(timeouts)), timeouts, None, cpu_seconds)
        raise death from None
    except nbclient.exceptions.CellTimeoutError as error:
        raise NotebookFailed(f"a cell ran longer than {timeout} s: {str(error).splitlines()[0]}") from None
    except nbclient.exceptions.CellExecutionError as error:
        found = cell_errors(notebook)
        if not found:
            raise NotebookFailed(str(error)) from None
        raise NotebookFailed(f"cellule {found[0].index} : {describe(found[0])}") from None
    finally:
        if quick:
            if previous is None:
                os.environ.pop("TP5_QUICK", None)
            else:
                os.environ["TP5_QUICK"] = previous
    errors = cell_errors(notebook, failed | set(timeouts))
    if errors and not allow_errors:
        first = errors[0]
        raise NotebookFailed(f"cellule {first.index} : {describe(first)}")
    return Execution(notebook, errors, timeouts, stopped_before, cpu_seconds)


async def answers(client: nbclient.NotebookClient) -> bool:
    """Whether the kernel answers a message (kernel_info) within ANSWER_SECONDS."""
    try:
        await client.kc.kernel_info(reply=True, timeout=ANSWER_SECONDS)
        return True
    except TimeoutError:
        return False


def write_text_atomically(text: str, target: pathlib.Path) -> None:
    """Writes next to the target, then renames: an interrupted run never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="")
    partial.replace(target)


def write_atomically(notebook: nbformat.NotebookNode, target: pathlib.Path) -> None:
    """A notebook written whole or not at all, as nbformat.write writes it (ending with a newline)."""
    text = nbformat.writes(notebook)
    write_text_atomically(text if text.endswith("\n") else text + "\n", target)
