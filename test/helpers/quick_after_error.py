"""A student's quick Shift+Enter after a failing cell, through a real tslab kernel: prints, as JSON, what
the kernel answered to each request.

  after   five times: a failing cell, then, as soon as its reply arrives, the next cell (no pause)
  before  a cell that waits half a second (the kernel keeps reading requests meanwhile) then fails, and
          the next sent together with it: the next one is queued behind it, hence aborted, saying so
  blocked a cell that blocks for a second then fails, with two more sent while it blocks, then one more
          after its reply (each of the two queued is either aborted, saying so, or run: never silent)
"""
import json
import sys

from jupyter_client.manager import start_new_kernel

FAILING = ['throw new Error("échec voulu");', 'const n: number = "pas un nombre";']


class Kernel:
    """A kernel's client that keeps every iopub message by the request it answers (requests overlap)."""

    def __init__(self, client):
        self.client = client
        self.printed: dict[str, str] = {}
        self.idle: set[str] = set()
        self.replies: dict[str, str] = {}

    def outcome(self, msg_id: str) -> dict:
        """The reply's status and what the request printed, once the kernel is idle for it."""
        while msg_id not in self.idle:
            message = self.client.get_iopub_msg(timeout=60)
            parent = message["parent_header"].get("msg_id", "")
            if message["msg_type"] == "stream":
                self.printed[parent] = self.printed.get(parent, "") + message["content"]["text"]
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                self.idle.add(parent)
        while msg_id not in self.replies:
            reply = self.client.get_shell_msg(timeout=60)
            if reply["msg_type"] == "execute_reply":
                self.replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        return {"status": self.replies[msg_id], "printed": self.printed.get(msg_id, "")}


def main() -> None:
    manager, client = start_new_kernel(kernel_name="tslab")
    kernel = Kernel(client)
    outcome = kernel.outcome
    try:
        report: dict = {"after": [], "before": None, "blocked": None}
        for index in range(5):
            failed = outcome(client.execute(FAILING[index % 2]))
            report["after"].append([failed, outcome(client.execute(f'console.log("suite {index}")'))])
        first = client.execute('await new Promise((resolve) => setTimeout(resolve, 500)); throw new Error("échec voulu");')
        second = client.execute('console.log("trop tôt")')
        report["before"] = [outcome(first), outcome(second)]
        sent = [client.execute('const t0 = Date.now(); while (Date.now() - t0 < 1000) {} throw new Error("bloqué");'),
                client.execute('console.log("en file 1")'), client.execute('console.log("en file 2")')]
        queued = [outcome(msg_id) for msg_id in sent]
        report["blocked"] = queued + [outcome(client.execute('console.log("après")'))]
        print(json.dumps(report, ensure_ascii=False))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    sys.exit(main())
