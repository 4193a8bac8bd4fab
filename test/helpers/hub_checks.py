"""What the class server's test (test/hub.test.ts) asks of students' servers through the hub, as their
browsers' requests would: each command reads a JSON spec (argv[2]) and prints a JSON report. The test
makes the assertions; this file only acts and measures.

  isolation   from one person's kernel and terminal, try to list and read what must stay hidden
  eavesdrop   from one person's kernel, listen to every socket in reach while another's kernel prints
  fill        one person writes past their home's bound while another's kernel answers cells
  bombs       a memory bomb, then a fork bomb, in one person's kernel while another's kernel answers cells
  upload      put a file in a person's home through their server's contents API (JupyterLab's upload)
  training    a short training in a person's kernel: the backend it ran on and its path
"""
import json
import pathlib
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tools.remote import Person  # noqa: E402

CGROUPS = pathlib.Path("/sys/fs/cgroup")


def person(spec: dict) -> Person:
    someone = Person(spec["hub"], spec["name"], spec["password"])
    someone.log_in()
    someone.start_server()
    return someone


def last_json_line(text: str) -> dict:
    return json.loads([line for line in text.splitlines() if line.startswith("{")][-1])


PROBE = """
import * as fs from "fs";
function attempt(action: () => unknown): string {
  try { const got = action(); return `lu : ${Array.isArray(got) ? got.length + " entrées" : String(got).length + " octets"}`; }
  catch (error) { return (error as NodeJS.ErrnoException).code ?? String(error); }
}
const uids = fs.readdirSync("/proc").filter((p) => /^\\d+$/.test(p)).map((p) => {
  try { return Number(/Uid:\\s+(\\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"))?.[1]); } catch { return -1; }
});
console.log(JSON.stringify({
  uid: process.getuid!(),
  processUids: [...new Set(uids)],
  paths: Object.fromEntries(Object.entries(%(paths)s as Record<string, string>).map(([name, place]) =>
    [name, { list: attempt(() => fs.readdirSync(place)), read: attempt(() => fs.readFileSync(place, "utf8")) }])),
  shadow: attempt(() => fs.readFileSync("/etc/shadow", "utf8")),
  passwd: fs.readFileSync("/etc/passwd", "utf8").trim().split("\\n").map((line) => line.split(":")[0]),
}));
"""


def isolation(spec: dict) -> dict:
    someone = person(spec)
    kernel = someone.jupyter.start_kernel()
    cell = someone.jupyter.run(kernel, PROBE % {"paths": json.dumps(spec["paths"])}, timeout=120)
    shell = "; ".join(f"ls {place}; cat {place}" for place in spec["paths"].values())
    receipts = someone.api("GET", "/services/echange/api/rendus").json()
    climbing = someone.api("GET", "/services/echange/api/retours/..%2F..%2Fhub%2Fliste.csv")
    return {"kernel": last_json_line(cell.text) if not cell.error else {"error": cell.error},
            "terminal": someone.jupyter.terminal(f"id -un; {shell}"),
            "exchange": {"receipts": [f"{r['notebook']}:{r['number']}" for r in receipts], "climbing": climbing.status_code}}


def group_file(group: str, controller: str, file: str) -> str:
    try:
        return (CGROUPS / controller / group / file).read_text().strip()
    except OSError:
        return ""


def answers_meanwhile(victim: Person, kernel: str, count: int) -> list:
    """The seconds each of `count` small cells took in the victim's kernel."""
    times = []
    for index in range(count):
        result = victim.jupyter.run(kernel, f"{index} * 2", timeout=60)
        times.append(result.seconds if result.text.strip() == str(index * 2) else None)
        time.sleep(0.5)
    return times


def bombs(spec: dict) -> dict:
    attacker, victim = person(spec["attacker"]), person(spec["victim"])
    victim_kernel = victim.jupyter.start_kernel()
    victim.jupyter.run(victim_kernel, "1", timeout=120)
    attacker_kernel = attacker.jupyter.start_kernel()
    attacker.jupyter.run(attacker_kernel, "1", timeout=120)
    outcome = {}

    def memory_bomb() -> None:
        code = "const kept: Buffer[] = []; while (true) { kept.push(Buffer.alloc(64 * 1024 * 1024, 1)); }"
        try:
            result = attacker.jupyter.run(attacker_kernel, code, timeout=120)
            outcome["attacker"] = result.error or result.text
        except Exception as error:  # the kernel dies: that is the expected end
            outcome["attacker"] = f"{type(error).__name__}: {error}"

    bomb = threading.Thread(target=memory_bomb)
    bomb.start()
    time.sleep(2)
    report = {"memory": {"victim_seconds": answers_meanwhile(victim, victim_kernel, 5)}}
    bomb.join(timeout=150)
    group = spec["attacker"]["group"]
    report["memory"].update(attacker=outcome.get("attacker", "toujours en cours"),
                            limit=int(group_file(group, "memory", "memory.limit_in_bytes") or 0),
                            peak=int(group_file(group, "memory", "memory.max_usage_in_bytes") or 0))
    fork_kernel = attacker.jupyter.start_kernel()
    attacker.jupyter.run(fork_kernel, 'import { spawn } from "child_process";\n'
                 'spawn("bash", ["-c", ":(){ :|:& };:"], { detached: true, stdio: "ignore" }).unref();', timeout=120)
    peak_processes = 0
    for _ in range(20):
        peak_processes = max(peak_processes, int(group_file(group, "pids", "pids.current") or 0))
        time.sleep(0.25)
    report["fork"] = {"victim_seconds": answers_meanwhile(victim, victim_kernel, 5),
                      "limit": int(group_file(group, "pids", "pids.max") or 0), "peak": peak_processes}
    attacker.stop_server()
    started = time.monotonic()
    while group_file(group, "pids", "cgroup.procs") and time.monotonic() - started < 30:
        time.sleep(0.5)
    report["fork"]["left_after_stop"] = len(group_file(group, "pids", "cgroup.procs").split())
    return report


#: The eavesdropper's cell: every TCP listener it can see (/proc/net/tcp, tcp6) subscribed to with ZeroMQ,
#: as one would to a kernel's iopub channel, for a few seconds; then direct connections to the places given.
EAVESDROP = """
import * as fs from "fs";
import * as net from "net";
import * as zmq from "zeromq";
function listeners(): number[] {
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let lines: string[] = [];
    try { lines = fs.readFileSync(table, "utf8").trim().split("\\n").slice(1); } catch { continue; }
    for (const line of lines) {
      const fields = line.trim().split(/\\s+/);
      if (fields[3] === "0A") ports.add(parseInt(fields[1].split(":")[1], 16));
    }
  }
  return [...ports];
}
function tryConnect(options: net.NetConnectOpts): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(options);
    const done = (what: string) => { socket.destroy(); resolve(what); };
    socket.once("connect", () => done("connecté"));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? String(error)));
    setTimeout(() => done("délai"), 2000);
  });
}
const ports = listeners();
const subscriber = new zmq.Subscriber();
subscriber.subscribe();
for (const port of ports) subscriber.connect(`tcp://127.0.0.1:${port}`);
const heard: string[] = [];
const deadline = Date.now() + %(listen_ms)d;
subscriber.receiveTimeout = 250;
while (Date.now() < deadline) {
  try { heard.push(Buffer.concat((await subscriber.receive()) as Buffer[]).toString("latin1")); } catch { /* nothing this time */ }
}
subscriber.close();
const tcp: Record<string, string> = {};
for (const [name, port] of Object.entries(%(tcp)s as Record<string, number>)) tcp[name] = await tryConnect({ host: "127.0.0.1", port });
const unix: Record<string, string> = {};
for (const [name, path] of Object.entries(%(unix)s as Record<string, string>)) unix[name] = await tryConnect({ path });
console.log(JSON.stringify({ listeners: ports, messages: heard.length, secret: heard.filter((m) => m.includes(%(secret)s)).length, tcp, unix }));
"""

VICTIM_PRINTS = "for (let i = 0; i < %(count)d; i++) { console.log(%(secret)s + i); await new Promise((r) => setTimeout(r, 200)); }"


def eavesdrop(spec: dict) -> dict:
    """The victim's kernel prints a secret five times a second while the attacker listens to everything in reach."""
    attacker, victim = person(spec["attacker"]), person(spec["victim"])
    victim_kernel = victim.jupyter.start_kernel()
    victim.jupyter.run(victim_kernel, "1", timeout=120)
    attacker_kernel = attacker.jupyter.start_kernel()
    secret = json.dumps(spec["secret"])
    printed: dict = {}
    talking = threading.Thread(target=lambda: printed.update(
        text=victim.jupyter.run(victim_kernel, VICTIM_PRINTS % {"count": 60, "secret": secret}, timeout=120).text))
    talking.start()
    time.sleep(1)
    cell = attacker.jupyter.run(attacker_kernel, EAVESDROP % {"listen_ms": 6000, "secret": secret, "tcp": json.dumps(spec["tcp"]),
                                                              "unix": json.dumps(spec["unix"])}, timeout=180)
    talking.join(timeout=60)
    report = last_json_line(cell.text) if not cell.error else {"error": cell.error, "text": cell.text[-2000:]}
    report["victim_printed"] = printed.get("text", "").count(spec["secret"])
    return report


def eavesdrop_control(spec: dict) -> dict:
    """The same probe between two kernels on the machine's own loopback (tcp, no sandbox), as the class
    server's kernels were before: it must hear the victim, or the hub's check proves nothing."""
    import jupyter_client

    secret = json.dumps(spec["secret"])
    kernels = [jupyter_client.KernelManager(kernel_name="tslab") for _ in range(2)]
    clients = []
    try:
        for manager in kernels:
            manager.start_kernel(cwd=str(ROOT))  # where node_modules/zeromq is found
            client = manager.client()
            client.start_channels()
            client.wait_for_ready(timeout=120)
            clients.append(client)
        victim, attacker = clients
        victim.execute(VICTIM_PRINTS % {"count": 60, "secret": secret})
        time.sleep(1)
        text: list[str] = []
        attacker.execute_interactive(EAVESDROP % {"listen_ms": 4000, "secret": secret, "tcp": "{}", "unix": "{}"}, timeout=120,
                                     output_hook=lambda m: text.append(m["content"].get("text", "")))
        return last_json_line("".join(text))
    finally:
        for client in clients:
            client.stop_channels()
        for manager in kernels:
            manager.shutdown_kernel(now=True)


FILL = """
import * as fs from "fs";
import * as lab from "tp5-lab";
const path = `${process.env.HOME}/remplissage.bin`;
let written = 0;
try {
  // Large pieces until the disk refuses, then small ones for what is left; the last refusal ends the cell.
  for (const size of [16 * 1024 * 1024, 64 * 1024]) {
    const piece = Buffer.alloc(size, 7);
    try {
      for (let i = 0; i < 4096; i++) { fs.appendFileSync(path, piece); written += size; }
    } catch (error) {
      if (size === 64 * 1024) throw error;
    }
  }
} finally {
  const disk = fs.statfsSync(process.env.HOME as string);
  console.log(JSON.stringify({ written, free: disk.bavail * disk.bsize }));
}
"""


def fill(spec: dict) -> dict:
    """The attacker fills their home past its bound (the kernel's error), then saves through JupyterLab's
    API a new notebook and their kit's notebook 01 made bigger (refused, and 01 left as it was), deletes
    the file and saves again; the victim's kernel answers small cells meanwhile."""
    attacker, victim = person(spec["attacker"]), person(spec["victim"])
    victim_kernel = victim.jupyter.start_kernel()
    victim.jupyter.run(victim_kernel, "1", timeout=120)
    notebook_01 = f"api/contents/tp5/{spec['notebook']}"
    before = attacker.jupyter.request("GET", notebook_01).json()["content"]
    kernel = attacker.jupyter.start_kernel()
    outcome: dict = {}
    writer = threading.Thread(target=lambda: outcome.update(cell=attacker.jupyter.run(kernel, FILL, timeout=180)))
    writer.start()
    victim_seconds = answers_meanwhile(victim, victim_kernel, 5)
    writer.join(timeout=200)
    cell = outcome["cell"]
    # Two megabytes more, as a few figures are.
    figures = {"cell_type": "markdown", "id": "figures", "metadata": {}, "source": "x" * 2_000_000}
    new = {"type": "notebook", "format": "json", "content": {"cells": [figures], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
    bigger = {"type": "notebook", "format": "json", "content": {**before, "cells": [*before["cells"], figures]}}
    saves = {name: attacker.jupyter.request("PUT", target, json=body)
             for name, target, body in (("new", "api/contents/tp5/essai-plein.ipynb", new), ("notebook01", notebook_01, bigger))}
    after = attacker.jupyter.request("GET", notebook_01).json()["content"]
    new_left = attacker.jupyter.request("GET", "api/contents/tp5/essai-plein.ipynb").status_code
    deleted = attacker.jupyter.request("DELETE", "api/contents/remplissage.bin")
    again = attacker.jupyter.request("PUT", "api/contents/tp5/essai-plein.ipynb", json=new)
    filled = last_json_line(cell.text) if "{" in cell.text else {}
    return {"written": filled.get("written"), "free": filled.get("free"), "error": cell.error, "text": cell.text[-1500:],
            "saves": {name: {"status": r.status_code, "message": r.json().get("message", "")} for name, r in saves.items()},
            "notebook01_unchanged": after == before, "new_left": new_left,
            "deleted": deleted.status_code, "save_after_delete": again.status_code, "victim_seconds": victim_seconds}


def first_logins(spec: dict) -> dict:
    """Each attempt at the first-login page (identifier, code, password): the page's answer."""
    return {"answers": [Person(spec["hub"], attempt["name"], attempt["password"], attempt["code"]).sign_up()
                        for attempt in spec["attempts"]]}


def logins(spec: dict) -> dict:
    """Each attempt at logging in (identifier, password): whether the hub let the person in."""
    outcomes = []
    for attempt in spec["attempts"]:
        try:
            Person(spec["hub"], attempt["name"], attempt["password"]).log_in()
            outcomes.append(True)
        except RuntimeError:
            outcomes.append(False)
    return {"logged_in": outcomes}


def upload(spec: dict) -> dict:
    someone = person(spec)
    content = json.loads(pathlib.Path(spec["source"]).read_text(encoding="utf-8"))
    response = someone.jupyter.request("PUT", f"api/contents/{spec['target']}", json={"type": "notebook", "format": "json",
                                                                              "content": content})
    return {"status": response.status_code}


TRAINING = """
import * as tf from "@tensorflow/tfjs";
import * as lab from "tp5-lab";
await lab.initBackend();
const model = lab.buildDense1({ imageShape: [28, 28], codeSize: 8 });
const history = await lab.trainAutoencoder(model, { inputs: tf.randomUniform([256, 28, 28, 1]) as tf.Tensor4D },
  { epochs: 1, batchSize: 64 });
console.log(JSON.stringify({ backend: tf.getBackend(), path: history.path, loss: history.loss[0] }));
"""


def training(spec: dict) -> dict:
    someone = person(spec)
    cell = someone.jupyter.run(someone.jupyter.start_kernel(), TRAINING, timeout=300)
    return last_json_line(cell.text) if not cell.error else {"error": cell.error, "text": cell.text[-2000:]}


if __name__ == "__main__":
    command, spec = sys.argv[1], json.loads(sys.argv[2])
    commands = {"isolation": isolation, "eavesdrop": eavesdrop, "eavesdrop_control": eavesdrop_control, "fill": fill,
                "first_logins": first_logins, "logins": logins, "bombs": bombs, "upload": upload,
                "training": training}
    print(json.dumps(commands[command](spec)))
