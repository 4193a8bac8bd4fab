"""Files of the class folder written whole or not at all, readable by root alone; JSON files that several
processes change (the hub, a teacher's command), each change made under a lock."""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pathlib
import tempfile
from typing import Any, Iterator


def read_json(path: pathlib.Path) -> dict[str, Any]:
    """The file's object ({} where there is no file yet)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return data


def write_atomically(path: pathlib.Path, data: bytes) -> None:
    """Writes `data` whole or not at all (a file beside it, then renamed), readable by root alone (mkstemp's mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: pathlib.Path, data: dict[str, Any]) -> None:
    """Writes `data` whole or not at all, readable by root alone."""
    write_atomically(path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))


@contextlib.contextmanager
def changing_json(path: pathlib.Path) -> Iterator[dict[str, Any]]:
    """The file's object, for changing it: written back when the block ends without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read_json(path)
        yield data
        write_json(path, data)
