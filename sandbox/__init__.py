"""The sandbox: the one place that builds one. bubblewrap's command and the privilege drop (spec.py), the
control groups (groups.py), a command run inside with its results on a pipe (run.py), and the probe that
checks the sandbox's claims from inside one (probe.py). The grader (a hand-in's run, its judge) and the
class server (each student's JupyterLab) say what they need with a Spec; nothing else builds a bubblewrap
command.

A sandbox sees the system read-only (/usr, /etc without its secrets), the project's runtime read-only
(node_modules, the .venv without nbgrader's notebooks, the compiled library, the Python install the .venv
links into, Node.js, the data) and the project's parts its Spec names, never the solutions, .git or the
class folder; a private /tmp in memory; its own process, IPC, host-name and network namespaces (only its
own loopback). It runs as a user of the Spec's that is never root, with no capability and no way to gain
one: bubblewrap builds the tree with root's rights and setpriv then drops them (as root), or bubblewrap
maps the caller to that user inside a user namespace (otherwise)."""
from .groups import Group
from .probe import probe, unavailable
from .run import RESULTS_FD, GroupBounds, Outcome, Run, end_sandbox, run
from .spec import BWRAP, PRLIMIT, SETPRIV, ProcessLimits, Spec, command, runtime_folders, running_as_root

__all__ = ["BWRAP", "PRLIMIT", "RESULTS_FD", "SETPRIV", "Group", "GroupBounds", "Outcome", "ProcessLimits", "Run", "Spec", "command",
           "end_sandbox", "probe", "run", "runtime_folders", "running_as_root", "unavailable"]
