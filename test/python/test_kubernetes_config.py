"""The Zero to JupyterHub configuration (image/kubernetes/) agrees with the class server it mirrors: the
exchange's name, address and environment, each student's bounds, the grading tasks' commands. (The
values were also checked against the chart's own schema; README, « Sur Kubernetes ».)"""
import pathlib

import yaml

from hub.config import EXCHANGE
from hub.layout import Bounds

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
