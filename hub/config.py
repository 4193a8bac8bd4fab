"""The JupyterHub configuration of a class server, made from its class folder (hub/jupyterhub_config.py
calls configure). Everything JupyterHub keeps lives in the class folder, so that a restart loses
nothing: the database (users, passwords, tokens), the cookie secret, the homes, the hand-ins."""
from __future__ import annotations

from typing import Any

from common.paths import PYTHON, ROOT

from .layout import ClassFolder, ServerSettings
from .lti import LtiSettings
from .passwords import MINIMUM_LENGTH
from .roster import read_roster
from .spawner import unix_url

EXCHANGE = "echange"
SESSION_CONFIG = ROOT / "session" / "jupyter_server_config.py"


def configure(c: Any, folder: ClassFolder) -> None:
    settings = ServerSettings.from_json(folder.settings_file.read_text(encoding="utf-8"))
    roster = read_roster(folder.roster_file)
    scheme = "https" if settings.ssl_cert else "http"
    sockets = folder.shared_sockets

    c.JupyterHub.bind_url = f"{scheme}://{settings.ip}:{settings.port}"
    c.JupyterHub.ssl_cert = settings.ssl_cert
    c.JupyterHub.ssl_key = settings.ssl_key
    # The hub's own API on a Unix socket, shown to each sandbox (whose network holds nothing else).
    c.JupyterHub.hub_bind_url = unix_url(sockets / "hub.sock")
    c.JupyterHub.hub_connect_url = unix_url(sockets / "hub.sock")
    c.JupyterHub.hub_socket_mode = 0o666
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = [str(ROOT / "node_modules" / ".bin" / "configurable-http-proxy")]
    c.JupyterHub.db_url = folder.database_url
    c.JupyterHub.cookie_secret_file = str(folder.state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(folder.hub_pid_file)
    c.JupyterHub.template_paths = [str(ROOT / "hub" / "templates")]

    c.Authenticator.allowed_users = {p.identifier for p in roster.people}
    c.Authenticator.admin_users = {p.identifier for p in roster.teachers}
    lti = LtiSettings.read(folder.lti_file)
    if lti is None:
        configure_passwords(c, folder)
    else:
        configure_lti(c, folder, lti)

    c.JupyterHub.spawner_class = "hub.spawner.ClassSpawner"
    c.ClassSpawner.class_folder = str(folder.root)
    c.ClassSpawner.cpus = settings.bounds.cpus
    c.ClassSpawner.memory_bytes = settings.bounds.memory_bytes
    c.ClassSpawner.processes = settings.bounds.processes
    c.ClassSpawner.tmp_bytes = settings.bounds.tmp_bytes
    c.ClassSpawner.disk_bytes = settings.bounds.disk_bytes
    c.ClassSpawner.internet = settings.bounds.internet
    c.Spawner.args = [f"--config={SESSION_CONFIG}"]
    # The guide, rendered, beside the three notebooks (never the Launcher).
    c.Spawner.default_url = "/lab/tree/tp5/LISEZ-MOI.md"
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 120
    # The server's own token may also reach the exchange, on the student's behalf.
    c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", f"access:services!service={EXCHANGE}"]

    c.JupyterHub.services = [{
        "name": EXCHANGE,
        "url": f"http://127.0.0.1:{settings.exchange_port}",
        "command": [PYTHON, "-m", "hub.exchange.service", str(folder.root), "--socket", str(sockets / "echange.sock")],
        "environment": {"PYTHONPATH": str(ROOT)},
        "display": False,
    }]
    c.JupyterHub.load_groups = {
        "etudiants": {"users": [p.identifier for p in roster.students]},
        "enseignants": {"users": [p.identifier for p in roster.teachers]},
    }
    c.JupyterHub.load_roles = [{
        "name": "classe-tp5",
        "description": "the exchange (hand-out, hand-in, feedback) for everyone on the roster",
        "scopes": [f"access:services!service={EXCHANGE}"],
        "groups": ["etudiants", "enseignants"],
    }]


def configure_passwords(c: Any, folder: ClassFolder) -> None:
    """Students log in with the password they chose with their first-login code; teachers with the one
    set on the command line (hub/authenticator.py)."""
    c.JupyterHub.authenticator_class = "hub.authenticator.RosterAuthenticator"
    c.RosterAuthenticator.roster_file = str(folder.roster_file)
    c.RosterAuthenticator.codes_file = str(folder.codes_file)
    c.NativeAuthenticator.enable_signup = True
    c.NativeAuthenticator.open_signup = False
    c.NativeAuthenticator.minimum_password_length = MINIMUM_LENGTH
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 60


def configure_lti(c: Any, folder: ClassFolder, lti: LtiSettings) -> None:
    """Everyone comes in from the LMS by LTI 1.3, as the person of the roster its claim names (hub/lti.py)."""
    c.JupyterHub.authenticator_class = "hub.lti_login.RosterLTIAuthenticator"
    c.RosterLTIAuthenticator.roster_file = str(folder.roster_file)
    c.RosterLTIAuthenticator.launches_file = str(folder.launches_file)
    c.RosterLTIAuthenticator.identity_claim = lti.claim
    c.LTI13Authenticator.issuer = lti.issuer
    c.LTI13Authenticator.client_id = {lti.client_id}
    c.LTI13Authenticator.authorize_url = lti.authorize_url
    c.LTI13Authenticator.jwks_endpoint = lti.jwks_url
    if lti.tool_url.startswith("https:"):
        # The launch's state cookie is set on the hub's page and read back on the LMS's cross-site POST:
        # browsers send it then only when it says SameSite=None (which they accept over HTTPS alone).
        c.JupyterHub.tornado_settings = {"cookie_options": {"samesite": "None", "secure": True}}
