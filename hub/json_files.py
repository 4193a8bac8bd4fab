"""JSON files of the class folder that several processes change (the hub, a teacher's command): each
change made under a lock and written whole or not at all, readable by root alone."""
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


def write_json(path: pathlib.Path, data: dict[str, Any]) -> None:
    """Writes `data` whole or not at all, readable by root alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, ensure_ascii=False)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def changing_json(path: pathlib.Path) -> Iterator[dict[str, Any]]:
    """The file's object, for changing it: written back when the block ends without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read_json(path)
        yield data
        write_json(path, data)
