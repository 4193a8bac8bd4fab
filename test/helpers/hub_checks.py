"""What the class server's test (test/hub.test.ts) asks of students' servers through the hub, as their
browsers' requests would: each command reads a JSON spec (argv[2]) and prints a JSON report. The test
makes the assertions; this file only acts and measures.

  isolation   from one person's kernel and terminal, try to list and read what must stay hidden
  bombs       a memory bomb, then a fork bomb, in one person's kernel while another's kernel answers cells
  upload      put a file in a person's home through their server's contents API (JupyterLab's upload)
  training    a short training in a person's kernel: the backend it ran on and its path
"""
import json
import pathlib
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from hub.remote import Person  # noqa: E402

CGROUPS = pathlib.Path("/sys/fs/cgroup")


def person(spec: dict) -> Person:
    someone = Person(spec["hub"], spec["name"], spec["password"], spec["email"])
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


def group_file(name: str, controller: str, file: str) -> str:
    try:
        return (CGROUPS / controller / f"tp5-classe-{name}" / file).read_text().strip()
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
    report["memory"].update(attacker=outcome.get("attacker", "toujours en cours"),
                            limit=int(group_file(attacker.name, "memory", "memory.limit_in_bytes") or 0),
                            peak=int(group_file(attacker.name, "memory", "memory.max_usage_in_bytes") or 0))
    fork_kernel = attacker.jupyter.start_kernel()
    attacker.jupyter.run(fork_kernel, 'import { spawn } from "child_process";\n'
                 'spawn("bash", ["-c", ":(){ :|:& };:"], { detached: true, stdio: "ignore" }).unref();', timeout=120)
    peak_processes = 0
    for _ in range(20):
        peak_processes = max(peak_processes, int(group_file(attacker.name, "pids", "pids.current") or 0))
        time.sleep(0.25)
    report["fork"] = {"victim_seconds": answers_meanwhile(victim, victim_kernel, 5),
                      "limit": int(group_file(attacker.name, "pids", "pids.max") or 0), "peak": peak_processes}
    attacker.stop_server()
    started = time.monotonic()
    while group_file(attacker.name, "pids", "cgroup.procs") and time.monotonic() - started < 30:
        time.sleep(0.5)
    report["fork"]["left_after_stop"] = len(group_file(attacker.name, "pids", "cgroup.procs").split())
    return report


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
    print(json.dumps({"isolation": isolation, "bombs": bombs, "upload": upload, "training": training}[command](spec)))
