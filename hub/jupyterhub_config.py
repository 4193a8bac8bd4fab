# JupyterHub's configuration file for a class server (started by `python -m hub serve`, which names the
# class folder in TP5_CLASSE). Everything is in hub/config.py.
import os
import pathlib

from hub.config import configure
from hub.layout import ClassFolder

configure(get_config(), ClassFolder(pathlib.Path(os.environ["TP5_CLASSE"])))  # noqa: F821 (given by JupyterHub)
