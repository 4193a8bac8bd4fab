"""`serve`'s last step: JupyterHub run and watched until it ends, then nothing of it left behind.

JupyterHub starts the proxy, the exchange and every student's server. Stopping it (Ctrl-C, or SIGTERM
to the teacher's command) asks it to stop them all; this process then makes sure of it, whatever
happened (a hub killed outright, a server that would not stop): it ends every process in the hub's
control group and in each person's, unmounts the homes' disks and removes the sockets. The same
clean-up runs before a start, so that a restart after a crash of this very process finds nothing left.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import types

from common.paths import ROOT, VENV_BIN
from sandbox import Group

from .layout import ClassFolder

#: The hub's own control group (with the proxy and the exchange), beside each person's (hub/spawner.py).
HUB_GROUP = "_hub"  # no identifier starts with "_" (hub/roster.py)


def say(message: str) -> None:
    print(f"[classe] {message}", flush=True)


def mounted_homes(folder: ClassFolder) -> list[pathlib.Path]:
    homes = str(folder.homes) + "/"
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        targets = [line.split()[1].replace("\\040", " ") for line in mounts]
    return [pathlib.Path(target) for target in targets if target.startswith(homes)]


def clear_leftovers(folder: ClassFolder) -> list[str]:
    """Ends what an earlier run of this class server left (processes, disks, sockets); what it found."""
    found = []
    for group in Group.existing(folder.group_prefix):
        if group.processes():
            found.append(f"{len(group.processes())} processus ({group.folders[0].name})")
        group.kill()
        group.close()
    for home in mounted_homes(folder):
        if subprocess.run(["umount", str(home)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(home)], capture_output=True)
        found.append(f"disque monté sur {home}")
    shutil.rmtree(folder.sockets, ignore_errors=True)
    return found


def prepare_sockets(folder: ClassFolder) -> None:
    """The folder of the hub's and the exchange's sockets, which every sandbox sees (read-only)."""
    folder.shared_sockets.mkdir(parents=True, exist_ok=True)
    for place in (folder.shared_sockets, folder.sockets, folder.sockets.parent):
        os.chmod(place, 0o755)


def run_hub(folder: ClassFolder, env: dict[str, str]) -> int:
    """Runs JupyterHub until it ends or this process is asked to stop; cleans up; JupyterHub's exit status."""
    leftovers = clear_leftovers(folder)
    if leftovers:
        say(f"restes d'un arrêt brutal précédent, nettoyés : {', '.join(leftovers)}")
    prepare_sockets(folder)
    group = Group(folder.group(HUB_GROUP), 1 << 62, 1 << 30)
    # In a session of its own, JupyterHub hears a terminal's Ctrl-C once: from this process.
    process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(ROOT / "hub" / "jupyterhub_config.py")],
                               env=env, cwd=folder.state, start_new_session=True,
                               preexec_fn=(lambda: group.join(os.getpid())) if group.active else None)

    def stop(number: int, _: types.FrameType | None) -> None:
        if process.poll() is None:
            say("arrêt demandé : JupyterHub arrête les serveurs des étudiants, le proxy et l'échange")
            process.send_signal(signal.SIGINT if number == signal.SIGINT else signal.SIGTERM)

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, stop)
    status = process.wait()
    clear_leftovers(folder)
    say("serveur de la classe arrêté : plus rien n'est en marche")
    return status if status >= 0 else 128 - status
