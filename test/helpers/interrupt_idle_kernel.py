"""Presses the stop button on an idle kernel just after the cell that imports the library, as a student
may, then runs one more cell; prints as JSON whether the kernel survived and what that cell wrote."""
import json
import pathlib
import time

from jupyter_client.manager import start_new_kernel

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"

manager, client = start_new_kernel(kernel_name="tslab", cwd=str(NOTEBOOKS))
try:
    client.execute_interactive('import * as lab from "tp5-lab";\nawait lab.initBackend({ print: false });', timeout=120)
    time.sleep(0.5)
    manager.interrupt_kernel()
    time.sleep(1)
    alive = manager.is_alive()
    texts = []
    if alive:
        client.execute_interactive('console.log("encore là", lab.buildDense1().model.countParams());', timeout=60,
                                   output_hook=lambda m: texts.append(m["content"].get("text", "")))
    print(json.dumps({"alive": alive, "afterwards": "".join(texts)}))
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=True)
