# JupyterHub's configuration file for a class server (started by `python -m hub serve`, which names the
# class folder in TP5_CLASSE). Everything is in hub/config.py; a class's own additions (logging in from
# Moodle with LTI 1.3, say: README, « Se connecter ») go in <dossier>/hub/config-locale.py, read last.
import os
import pathlib

from hub.config import configure
from hub.layout import ClassFolder

folder = ClassFolder(pathlib.Path(os.environ["TP5_CLASSE"]))
configure(get_config(), folder)  # noqa: F821 (given by JupyterHub)
if (folder.state / "config-locale.py").exists():
    load_subconfig(str(folder.state / "config-locale.py"))  # noqa: F821 (given by JupyterHub)
