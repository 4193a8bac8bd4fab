"""The student image as a student runs it alone (test/image.test.ts): `podman run` with a published port,
then, from outside the container, JupyterLab's REST API, the kit in ~/tp5, a kernel's short training,
and what the image holds (`podman exec`). Prints one JSON report; the test makes the assertions.

  python test/helpers/image_checks.py IMAGE PORT
"""
import json
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tools.remote import JupyterServer  # noqa: E402
from image.build import limits, podman  # noqa: E402

TOKEN = "essai-image"
TRAINING = """
import * as tf from "@tensorflow/tfjs";
import * as lab from "tp5-lab";
await lab.initBackend();
const model = lab.buildDense1({ imageShape: [28, 28], codeSize: 8 });
const history = await lab.trainAutoencoder(model, { inputs: tf.randomUniform([256, 28, 28, 1]) as tf.Tensor4D },
  { epochs: 1, batchSize: 64 });
console.log(JSON.stringify({ backend: tf.getBackend(), path: history.path }));
"""


def main() -> None:
    image, port = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    container = subprocess.run([*podman(), "run", "--detach", "--rm", *limits(), "--publish", f"127.0.0.1:{port}:8888",
                                image, f"--IdentityProvider.token={TOKEN}"], capture_output=True, text=True, check=True).stdout.strip()
    report: dict = {}
    try:
        server = JupyterServer(f"http://127.0.0.1:{port}/", TOKEN)
        while time.monotonic() - started < 120:
            try:
                if server.request("GET", "api/status", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.25)
        report["answers_s"] = time.monotonic() - started
        report["kit"] = sorted(c["name"] for c in server.request("GET", "api/contents/tp5").json()["content"])
        cell = server.run(server.start_kernel(), TRAINING, timeout=300)
        report["first_epoch_s"] = time.monotonic() - started
        report["training"] = cell.text[cell.text.rfind('{"'):].strip() if not cell.error else cell.error
        inside = subprocess.run([*podman(), "exec", container, "bash", "-c",
                                 "id -un; ls /opt/tp5; grep -rls '// BEGIN SOLUTION' /opt /home 2>/dev/null | head -5; "
                                 "find / -xdev -name .git -maxdepth 4 2>/dev/null | head -5; echo fin"],
                                capture_output=True, text=True)
        report["inside"] = inside.stdout
    finally:
        logs = subprocess.run([*podman(), "logs", container], capture_output=True, text=True)
        report["log"] = logs.stdout[-2000:] + logs.stderr[-3000:]
        subprocess.run([*podman(), "stop", "--time", "5", container], capture_output=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
