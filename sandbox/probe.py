"""Whether a sandbox can be had here, checked as a sandboxed process sees itself: its uid, its effective
capabilities and no_new_privs, from /proc/self/status, never from bubblewrap's flags."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

from common.paths import PYTHON

from .spec import BWRAP, PRLIMIT, SETPRIV, Spec, command, running_as_root

#: The user the probe runs as: the grader's first slot's.
PROBE_UID = 64000

PROBE = """
import json, os
status = dict(line.split(':', 1) for line in open('/proc/self/status'))
print(json.dumps({'uid': os.getuid(), 'capabilities': int(status['CapEff'], 16), 'no_new_privs': int(status['NoNewPrivs'])}))
"""


def probe() -> dict[str, Any]:
    """What a process inside a sandbox sees of itself: uid, effective capabilities, no_new_privs."""
    spec = Spec(uid=PROBE_UID, gid=PROBE_UID, workdir=pathlib.Path("/tmp"), environment={"PATH": "/usr/bin:/bin"})
    try:
        result = subprocess.run(command(spec, [PYTHON, "-c", PROBE]), capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return {"error": "la sonde n'a pas répondu en 60 s"}
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or [f"code {result.returncode}"])[-1]}
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def unavailable() -> str:
    """Why no sandbox can be had here ("" when one can): a probe run inside one must show the claims."""
    if sys.platform != "linux":
        return "le bac à sable (bubblewrap) n'existe que sous Linux"
    if BWRAP is None:
        return "bubblewrap n'est pas installé (paquet Debian « bubblewrap » : apt-get install bubblewrap)"
    if PRLIMIT is None or (running_as_root() and SETPRIV is None):
        return "prlimit ou setpriv manque (paquet Debian « util-linux »)"
    seen = probe()
    if "error" in seen:
        return f"bubblewrap ne démarre pas ici : {seen['error']}"
    if seen["uid"] == 0 or seen["capabilities"] != 0 or seen["no_new_privs"] != 1:
        return (f"le bac à sable n'enlève pas les droits ici (uid {seen['uid']}, capacités {seen['capabilities']:x}, "
                f"no_new_privs {seen['no_new_privs']})")
    return ""
