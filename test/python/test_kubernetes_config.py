"""The Zero to JupyterHub configuration (image/kubernetes/) agrees with the class server it mirrors: the
exchange's name, address and environment, the login's rules, each student's bounds, the grading tasks'
commands. (The
values were also checked against the chart's own schema; README, « Sur Kubernetes ».)"""
import pathlib

import yaml

from hub.config import EXCHANGE
from hub.layout import Bounds, ClassFolder
from hub.passwords import MINIMUM_LENGTH

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "image" / "kubernetes"


def documents(name: str) -> list:
    return [d for d in yaml.safe_load_all((FOLDER / name).read_text(encoding="utf-8")) if d]


def test_the_students_servers_reach_the_exchange_with_their_own_token():
    values = documents("zero-to-jupyterhub.yaml")[0]
    assert EXCHANGE in values["hub"]["services"]
    assert f"access:services!service={EXCHANGE}" in values["hub"]["config"]["Spawner"]["server_token_scopes"]
    assert f"access:services!service={EXCHANGE}" in values["hub"]["loadRoles"]["user"]["scopes"]
    url = values["singleuser"]["extraEnv"]["TP5_ECHANGE_URL"]
    assert url == f"{values['hub']['services'][EXCHANGE]['url']}/services/{EXCHANGE}/"


def test_each_students_limits_are_the_class_servers_bounds():
    singleuser = documents("zero-to-jupyterhub.yaml")[0]["singleuser"]
    bounds = Bounds()
    assert singleuser["cpu"]["limit"] == bounds.cpus
    # KubeSpawner reads "3G" as 3 × 1024³ bytes.
    assert int(singleuser["memory"]["limit"].rstrip("G")) * 1024 ** 3 == bounds.memory_bytes
    assert singleuser["cpu"]["guarantee"] <= singleuser["cpu"]["limit"]


def test_the_exchange_deployment_gives_the_service_what_it_reads():
    deployment = next(d for d in documents("echange.yaml") if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"]["value"] == EXCHANGE
    assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == f"/services/{EXCHANGE}/"
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == f"hub.services.{EXCHANGE}.apiToken"
    assert container["command"][1:3] == ["-m", "hub.exchange.service"]
    service = next(d for d in documents("echange.yaml") if d["kind"] == "Service")
    assert service["metadata"]["name"] == "tp5-echange" and service["spec"]["ports"][0]["port"] == 8000


def test_the_grading_job_runs_one_task_per_hand_in_then_merges():
    task, merge = documents("correction.yaml")
    assert task["spec"]["completionMode"] == "Indexed"
    arguments = task["spec"]["template"]["spec"]["containers"][0]["args"]
    assert arguments[arguments.index("--task") + 1] == "$(JOB_COMPLETION_INDEX)"
    assert merge["spec"]["template"]["spec"]["containers"][0]["args"][0] == "--merge"


def test_the_hubs_login_is_the_class_servers_no_account_from_public_facts():
    hub = documents("zero-to-jupyterhub.yaml")[0]["hub"]
    config = hub["config"]
    assert config["JupyterHub"]["authenticator_class"] == "hub.authenticator.RosterAuthenticator"
    assert config["NativeAuthenticator"]["open_signup"] is False
    assert config["NativeAuthenticator"]["minimum_password_length"] == MINIMUM_LENGTH
    mounts = {m["name"]: m["mountPath"] for m in hub["extraVolumeMounts"]}
    # The roster and the codes are where the exchange's pod writes them (npm run hub -- roster, codes).
    folder = ClassFolder(pathlib.Path(mounts["tp5-classe"]))
    assert config["RosterAuthenticator"] == {"roster_file": str(folder.roster_file), "codes_file": str(folder.codes_file)}
    # The login modules are the package `hub` on the hub's Python path.
    assert pathlib.Path(mounts["tp5-connexion"]).parent == pathlib.Path(hub["extraEnv"]["PYTHONPATH"])
    assert pathlib.Path(mounts["tp5-connexion"]).name == "hub"
