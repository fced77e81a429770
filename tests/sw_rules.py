"""Run pwa/sw-rules.js in one Node process: JSON lines in, JSON lines out."""

import json
import subprocess
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent / "pwa" / "sw-rules.js"
NODE = "/usr/bin/node"
# Reads {"fn": name, "args": [...]} lines and answers {"result": …} or {"error": …} lines.
LOOP = r"""
// Run as the service worker runs it: a classic script, its functions global.
const rules = {};
require("vm").runInNewContext(require("fs").readFileSync(process.argv[1], "utf8") +
  "\n;Object.assign(exports, { negotiate, foldCode, readEntry });", { exports: rules });
const lines = require("readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let answer;
  try {
    const { fn, args } = JSON.parse(line);
    answer = { result: rules[fn](...args) };
  } catch (error) {
    answer = { error: String(error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
"""


class NodeRules:
    """One Node process for many calls, so a hypothesis example costs a pipe round trip."""

    def __init__(self):
        self.process = subprocess.Popen([NODE, "-e", LOOP, str(RULES)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def call(self, fn: str, *args):
        self.process.stdin.write(json.dumps({"fn": fn, "args": list(args)}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)
        self.process.stdout.close()
