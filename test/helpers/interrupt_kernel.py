"""Presses the stop button during a training, as JupyterLab does: starts a tslab kernel, runs a cell
that loops over three long trainings, interrupts the kernel (SIGINT) during the first, and prints as
JSON what happened: how long the cell took to end, what the training's display and the cell's error
stream said, how many trainings the cell ran, and whether the kernel still runs code afterwards.

  interrupt_kernel.py THREADS        the trainings are lab.trainAutoencoder's, on THREADS threads
  interrupt_kernel.py fit            they are tfjs's model.fit, of three conv models in turn"""
import json
import pathlib
import sys
import time

from jupyter_client.manager import start_new_kernel

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
mode = sys.argv[1] if len(sys.argv) > 1 else "2"
LOOPS = {
    "fit": "for (const seed of [1, 2, 3]) {\n  const fitted = lab.buildConv();\n"
           "  fitted.model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });\n"
           "  histories.push(await fitted.model.fit(images, images, { epochs: 500, batchSize: 128 }));\n}",
}
loop = LOOPS.get(mode, f"for (const seed of [1, 2, 3]) histories.push(await lab.trainAutoencoder(model, "
                       f"{{ inputs: data.train }}, {{ epochs: 500, threads: {mode}, seed }}));")


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
                'const model = lab.buildConv();\nconst histories: unknown[] = [];\n'
                'const images = lab.toTensor(data.train);')
    msg_id = client.execute(loop)
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
    displays = ""
    errors = ""
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
            displays += last_display + "\n"
            if "interrompu" in last_display:
                stopped_after = time.time() - pressed
        elif message["msg_type"] == "stream":
            errors += content["text"]
        elif message["msg_type"] == "status" and content["execution_state"] == "idle":
            idle_after = time.time() - pressed
    # Two seconds for the cell's code, which goes on in the background, to start a second training
    # if it could; then whatever the cell still wrote.
    time.sleep(2)
    while True:
        try:
            message = client.get_iopub_msg(timeout=0.2)
        except Exception:
            break
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "stream":
            errors += message["content"]["text"]
    after = run(client, 'const probe = lab.buildDense1();\nconsole.log("encore là", probe.model.countParams(), '
                        '"trainings", histories.length, (histories[0] as { interrupted?: boolean } | undefined)?.interrupted);')
    print(json.dumps({
        "cellEndedAfter": idle_after,
        "trainingStoppedAfter": stopped_after if "interrompu" in last_display else None,
        "lastLine": last_display,
        "cellOutput": errors,
        "displays": displays,
        "afterwards": after,
    }))
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=True)
