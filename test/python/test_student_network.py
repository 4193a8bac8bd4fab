"""A student's sandbox and the network (hub/spawner.py): its own namespace, with nothing but its own
loopback, so that the machine's services (the hub, the proxy, another student's server) are out of
reach; with `serve --internet`, slirp4netns adds a route to other machines (no connection is tried
here: this machine reaches no other)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from hub.spawner import SLIRP4NETNS, route_to_other_machines

BWRAP = shutil.which("bwrap")
WHY_NOT = ("the sandbox's network needs root" if os.geteuid() != 0 else
           "bubblewrap is missing" if BWRAP is None else "")
pytestmark = pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT)

#: Run inside the sandbox: its interfaces and routes, and a connection to a port of the machine's loopback.
INSIDE = """
import json, os, socket, sys, time
def interfaces():
    return sorted(line.split(":")[0].strip() for line in open("/proc/self/net/dev").read().splitlines()[2:])
for _ in range(100):
    if "tap0" in interfaces() or sys.argv[2] == "sans":
        break
    time.sleep(0.05)
time.sleep(0.3)
probe = socket.socket()
probe.settimeout(2)
try:
    probe.connect(("127.0.0.1", int(sys.argv[1])))
    reached = "connecté"
except OSError as error:
    reached = type(error).__name__
routes = open("/proc/self/net/route").read().split("\\n")[1:]
print(json.dumps({"interfaces": interfaces(), "default_route": any(r.split()[1:2] == ["00000000"] for r in routes if r.strip()),
                  "loopback_port": reached}))
"""


def run_sandboxed(port: int, internet: bool) -> dict:
    command = [BWRAP, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "--unshare-pid",
               "--die-with-parent", "--", sys.executable, "-c", INSIDE, str(port), "avec" if internet else "sans"]
    sandbox = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    slirp = None
    try:
        if internet:
            for _ in range(100):
                inner = open(f"/proc/{sandbox.pid}/task/{sandbox.pid}/children").read().split()
                if inner:
                    slirp = route_to_other_machines(int(inner[0]))
                    break
                time.sleep(0.05)
        out, _ = sandbox.communicate(timeout=60)
        return json.loads(out.strip().splitlines()[-1])
    finally:
        if slirp is not None:
            slirp.kill()
            slirp.wait()


@pytest.fixture
def machine_port():
    """A port listening on the machine's own loopback, as the hub's are."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield listener.getsockname()[1]
    listener.close()


def test_a_sandbox_has_its_own_loopback_only_and_reaches_none_of_the_machine(machine_port):
    seen = run_sandboxed(machine_port, internet=False)
    assert seen == {"interfaces": ["lo"], "default_route": False, "loopback_port": "ConnectionRefusedError"}


@pytest.mark.skipif(SLIRP4NETNS is None, reason="slirp4netns is missing (serve --internet)")
def test_with_internet_a_route_out_is_added_and_the_machine_s_loopback_stays_out_of_reach(machine_port):
    seen = run_sandboxed(machine_port, internet=True)
    assert seen == {"interfaces": ["lo", "tap0"], "default_route": True, "loopback_port": "ConnectionRefusedError"}
