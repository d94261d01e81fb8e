"""HTTP rows measured with `wrk` (C load generator, keep-alive), #15.

`wrk` is the Debian package; when it is missing, `ensure_wrk()` installs it with apt-get
(as root) or says how. Every row runs `wrk -t2 -c32 --latency` against the server of
`bench.http.Server` with a Lua script that cycles through the row's requests and prints
its figures as one JSON line. The no-database view (`/sante/`) is the ceiling row: every
other row's reference.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.core import Result

CONNECTIONS = 32
THREADS = 2

SCRIPT = """
local requests = {}
local counter = 0
%(requests)s
request = function()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end
init = function(args)
  %(build)s
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, '
    .. '"errors": %%d, "non_2xx_3xx": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Call:
    path: str
    method: str = "GET"
    body: str = ""


def ensure_wrk() -> str | None:
    """The path of `wrk`, installed with apt-get when missing and possible; else None."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt:
        subprocess.run([apt, "install", "-y", "-q", "wrk"], check=False, capture_output=True)  # noqa: S603
    return shutil.which("wrk")


def _lua(calls: list[Call]) -> str:
    build = []
    for call in calls:
        if call.method == "GET":
            build.append(f"table.insert(requests, wrk.format('GET', {json.dumps(call.path)}))")
        else:
            build.append(
                "table.insert(requests, wrk.format("
                f"{json.dumps(call.method)}, {json.dumps(call.path)}, "
                "{['Content-Type'] = 'application/json'}, "
                f"{json.dumps(call.body)}))"
            )
    return SCRIPT % {"requests": "", "build": "\n  ".join(build)}


def run(
    port: int,
    name: str,
    calls: list[Call],
    *,
    seconds: float,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
    goal: str = "",
    reference: str = "",
) -> Result:
    binary = ensure_wrk()
    if binary is None:
        return Result(name, "wrk absent", 0, goal=goal, note="wrk absent : apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "calls.lua"
        script.write_text(_lua(calls))
        completed = subprocess.run(  # noqa: S603
            [
                binary,
                f"-t{min(threads, connections)}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("WRKJSON ")), "")
    if not line:
        return Result(name, "wrk failed", 0, goal=goal, note=completed.stderr[-200:])
    data = json.loads(line.removeprefix("WRKJSON "))
    duration = data["duration_us"] / 1e6
    result = Result(
        name=name,
        volume=f"wrk {connections} conn, {duration:.0f} s, {len(calls)} URLs",
        samples=data["requests"],
        median_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        rps=data["requests"] / duration if duration else None,
        reference=reference,
        goal=goal,
    )
    failed = data["errors"] + data["non_2xx_3xx"]
    result.extra = {"errors": data["errors"], "non_2xx_3xx": data["non_2xx_3xx"]}
    result.extra["failed_share"] = round(failed / max(1, data["requests"]), 4)
    return result
