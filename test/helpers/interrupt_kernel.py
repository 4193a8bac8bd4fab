"""Presses the stop button during a training, as JupyterLab does: starts a tslab kernel, runs a long
training, interrupts the kernel (SIGINT), and prints as JSON what happened: how long the cell took to
end, what the training's display said, and whether the kernel still runs code afterwards."""
import json
import pathlib
import sys
import time

from jupyter_client.manager import start_new_kernel

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2


def run(client, code, timeout=120):
    """Runs code to the end; returns the text and display outputs of its cell."""
    msg_id = client.execute(code)
    texts = []
    while True:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        content = message["content"]
        if message["msg_type"] == "stream":
            texts.append(content["text"])
        elif message["msg_type"] in ("display_data", "update_display_data", "execute_result"):
            texts.append(content["data"].get("text/plain", ""))
        elif message["msg_type"] == "status" and content["execution_state"] == "idle":
            return "".join(texts)


manager, client = start_new_kernel(kernel_name="tslab", cwd=str(NOTEBOOKS))
try:
    run(client, 'import * as lab from "tp5-lab";\nawait lab.initBackend({ print: false });\n'
                'const data = await lab.loadDataset({ trainLimit: 4000, testLimit: 100, print: false });\n'
                'const model = lab.buildConv();')
    msg_id = client.execute(f"const history = await lab.trainAutoencoder(model, {{ inputs: data.train }}, "
                            f"{{ epochs: 500, threads: {threads} }});")
    # Press the button once the training has shown its progress (it is then past its set-up, in its
    # steps), however long the machine took to get there.
    deadline = time.time() + 120
    while time.time() < deadline:
        message = client.get_iopub_msg(timeout=120)
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] in ("display_data", "update_display_data") \
                and "époque" in message["content"]["data"].get("text/plain", ""):
            break
    pressed = time.time()
    manager.interrupt_kernel()
    idle_after = None
    last_display = ""
    deadline = time.time() + 30
    # The cell ends, then the training's display gets its last line: wait for both (or 30 s).
    while time.time() < deadline and not (idle_after is not None and "interrompu" in last_display):
        try:
            message = client.get_iopub_msg(timeout=1)
        except Exception:
            continue
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        content = message["content"]
        if message["msg_type"] in ("display_data", "update_display_data"):
            last_display = content["data"].get("text/plain", "")
            if "interrompu" in last_display:
                stopped_after = time.time() - pressed
        elif message["msg_type"] == "status" and content["execution_state"] == "idle":
            idle_after = time.time() - pressed
    time.sleep(0.5)  # tslab drops what it receives within 200 ms of an interrupted cell
    after = run(client, 'const probe = lab.buildDense1();\nconsole.log("encore là", probe.model.countParams());')
    print(json.dumps({
        "cellEndedAfter": idle_after,
        "trainingStoppedAfter": stopped_after if "interrompu" in last_display else None,
        "lastLine": last_display,
        "afterwards": after,
    }))
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=True)
