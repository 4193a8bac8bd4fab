"""Runs cells in a fresh tslab kernel as a student would, one after the other, in quick mode
(TP5_QUICK=1). Reads the cells' sources as a JSON list on stdin; prints, as one JSON list, what each cell
wrote: its standard output, its error stream, and the text and other data of what it displayed.
An item {"inspect": CODE} asks instead what Shift+Tab shows at the end of CODE (in "text")."""
import json
import os
import pathlib
import sys

from jupyter_client.manager import start_new_kernel

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"

sources = json.load(sys.stdin)
manager, client = start_new_kernel(kernel_name="tslab", cwd=str(NOTEBOOKS), env={**os.environ, "TP5_QUICK": "1"})
try:
    seen = []
    for source in sources:
        cell = {"stdout": "", "stderr": "", "text": "", "data": ""}
        if isinstance(source, dict):
            code = source["inspect"]
            reply = client.inspect(code, len(code), reply=True, timeout=60)
            cell["text"] = reply["content"].get("data", {}).get("text/plain", "")
            seen.append(cell)
            continue

        def record(message, cell=cell):
            content = message["content"]
            if message["msg_type"] == "stream":
                cell[content["name"]] += content["text"]
            elif message["msg_type"] in ("display_data", "update_display_data", "execute_result"):
                cell["text"] += content["data"].get("text/plain", "") + "\n"
                cell["data"] += json.dumps({k: v for k, v in content["data"].items() if k != "text/plain"}, ensure_ascii=False)
            elif message["msg_type"] == "error":
                cell["stderr"] += "\n".join(content["traceback"])

        client.execute_interactive(source, timeout=300, output_hook=record)
        seen.append(cell)
    print(json.dumps(seen, ensure_ascii=False))
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=True)
