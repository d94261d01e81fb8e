"""A bounded load test on loopback against the production server setup: gunicorn serving
`clauses.wsgi` with `clauses.settings.base` (DEBUG off, a throwaway secret, ALLOWED_HOSTS
127.0.0.1, no TLS redirect, the desk's rate limits raised for the bench) on the configured
database. The client is a small asyncio HTTP/1.1 client (one connection per request,
`Connection: close`), `clients` concurrent for `seconds` (and never more than
`max_requests`). The RSS of every server process is sampled from /proc during the load.

Only 127.0.0.1 is ever used.
"""

import asyncio
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.core import Result, percentile

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


def server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="clauses.settings.base",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CLAUSES_VAR_DIR=str(var_dir),
        CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR="1000000000",
        CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY="1000000000",
        CLAUSES_DESK_MAX_ROUTINGS_PER_IP_PER_HOUR="1000000000",
    )
    if not env.get("REDIS_URL"):
        redis_url = local_redis()
        if redis_url:  # production's shared cache, this run's keys only
            env.update(REDIS_URL=redis_url, CLAUSES_CACHE_PREFIX=f"bench-{os.getpid()}")
    return env


def local_redis() -> str:
    """redis://127.0.0.1:6379/0 when a Redis answers there (`BENCH_REDIS_URL` to choose
    another), else "": the server then caches in each worker's memory."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return url if s.recv(16).startswith(b"+PONG") else ""
    except OSError:
        return ""


def cache_label(env: dict[str, str]) -> str:
    return "Redis" if env.get("REDIS_URL") else "local memory per worker"


def collectstatic(var_dir: Path) -> None:
    """The manifest storage needs collected static files (done once per var dir)."""
    if (var_dir / "static" / "staticfiles.json").exists():
        return
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", "--skip-checks"],
        cwd=ROOT,
        env=server_env(var_dir),
        check=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, var_dir: Path, *, workers: int = 2, threads: int = 4) -> None:
        self.var_dir, self.workers, self.threads = var_dir, workers, threads
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "clauses.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--backlog",
            "512",
            "--log-level",
            "warning",
        ]

    def __enter__(self) -> "Server":
        self.env = server_env(self.var_dir)
        self.process = subprocess.Popen(  # noqa: S603
            self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _h, _b = asyncio.run(request(self.port, "GET", "/"))
                if status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("le serveur s'est arrêté au démarrage")
            time.sleep(0.3)
        raise RuntimeError("le serveur n'a pas répondu en 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def pids(self) -> list[int]:
        if self.process is None:
            return []
        master = self.process.pid
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == master:
                children.append(int(entry.name))
        return [master, *children]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (from /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


class RssSampler(threading.Thread):
    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.peak: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in self.server.pids()[1:]:
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mb(pid))
            self.stop.wait(0.25)


async def request(
    port: int, method: str, path: str, *, body: bytes = b"", headers: dict | None = None
) -> tuple[int, dict[str, list[str]], bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Connection: close",
        "User-Agent: clauses-bench",
    ]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    header_lines = head.decode("latin-1").split("\r\n")
    status = int(header_lines[0].split()[1])
    parsed: dict[str, list[str]] = {}
    for line in header_lines[1:]:
        name, _, value = line.partition(":")
        parsed.setdefault(name.strip().lower(), []).append(value.strip())
    return status, parsed, payload


Send = Callable[..., Awaitable[tuple[int, dict[str, list[str]], bytes]]]


def sender(port: int) -> Send:
    """`send(method, path, body=…, headers=…)` on 127.0.0.1:`port`."""

    async def send(method: str, path: str, **kwargs: object) -> tuple:
        return await request(port, method, path, **kwargs)

    return send


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0


async def _load(
    send: Send, scenario: Callable, clients: int, seconds: float, max_requests: int
) -> Load:
    load = Load()
    deadline = time.monotonic() + seconds
    budget = [max_requests]
    started = time.monotonic()

    async def client(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            t0 = time.perf_counter()
            try:
                status = await scenario(send, rng)
            except (OSError, ValueError, IndexError):
                load.errors += 1
                continue
            load.latencies.append((time.perf_counter() - t0) * 1000)
            load.statuses[status] = load.statuses.get(status, 0) + 1

    await asyncio.gather(*(client(i) for i in range(clients)))
    load.seconds = time.monotonic() - started
    return load


def run_load(
    server: Server,
    name: str,
    scenario: Callable,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    goal: str,
    check: Callable[[Result], bool],
) -> Result:
    sampler = RssSampler(server)
    sampler.start()
    try:
        load = asyncio.run(_load(sender(server.port), scenario, clients, seconds, max_requests))
    finally:
        sampler.stop.set()
        sampler.join()
    ok_share = sum(n for s, n in load.statuses.items() if s < 400) / max(1, len(load.latencies))
    result = Result(
        name=name,
        volume=f"{clients} clients, {load.seconds:.0f} s",
        samples=len(load.latencies),
        median_ms=percentile(load.latencies, 0.5) if load.latencies else None,
        p95_ms=percentile(load.latencies, 0.95) if load.latencies else None,
        p99_ms=percentile(load.latencies, 0.99) if load.latencies else None,
        rps=len(load.latencies) / load.seconds if load.seconds else None,
        goal=goal,
    )
    result.extra = {
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        "errors": load.errors,
        "ok_share": round(ok_share, 4),
        "worker_peak_rss_mb": {str(k): round(v, 1) for k, v in sampler.peak.items()},
    }
    result.met = bool(load.latencies) and ok_share > 0.99 and check(result)
    return result


# -- scenarios -----------------------------------------------------------------------------


def scenarios(insees: list[str], names: list[str]) -> dict[str, Callable]:
    pages = ["/", "/reseau/", "/reseau/departements/93/"]

    async def public_pages(send: Send, rng: random.Random) -> int:
        choice = rng.randrange(4)
        if choice < 3:
            path = pages[choice]
        else:
            path = "/reseau/trouver-mon-facilitateur/?q=" + urllib.parse.quote(rng.choice(names))
        status, _h, _b = await send("GET", path)
        return status

    async def facilitation(send: Send, rng: random.Random) -> int:
        path = f"/api/v1/communes/{rng.choice(insees)}/facilitation"
        status, _h, body = await send("GET", path)
        if status == 200:
            json.loads(body)
        return status

    async def routing(send: Send, rng: random.Random) -> int:
        payload = json.dumps(
            {"kind": "social_advice", "execution_communes": [rng.choice(insees)]}
        ).encode()
        status, _h, _b = await send(
            "POST",
            "/api/v1/desk/route",
            body=payload,
            headers={"Content-Type": "application/json"},
        )
        return status

    async def commune_search(send: Send, rng: random.Random) -> int:
        from bench.inprocess import SEARCHES

        path = "/api/v1/communes?q=" + urllib.parse.quote(rng.choice(SEARCHES))
        status, _h, _b = await send("GET", path)
        return status

    async def request_form(send: Send, rng: random.Random) -> int:
        """GET the form (CSRF cookie and token), then POST it; both are timed, as a buyer
        does both."""
        status, headers, body = await send("GET", "/guichet/demande/")
        if status != 200:
            return status
        cookies = "; ".join(c.split(";", 1)[0] for c in headers.get("set-cookie", []))
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if match is None:
            raise ValueError("no CSRF token")
        form = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "organisation_name": "Ville de Bench",
            "siret": "21750001600019",
            "contact_name": "Camille Bench",
            "contact_email": f"bench{rng.randrange(10**6)}@bench.clauses.invalid",
            "kind": "social_advice",
            "market_subject": "Réhabilitation d'une école",
            "communes": rng.choice(insees),
            "message": "Nous préparons un marché de travaux et souhaitons une clause.",
        }
        status, _h, _b = await send(
            "POST",
            "/guichet/demande/",
            body=urllib.parse.urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookies,
                "Referer": "http://127.0.0.1/guichet/demande/",
            },
        )
        return status

    return {
        "public_pages": public_pages,
        "facilitation_api": facilitation,
        "routing_api": routing,
        "commune_search_api": commune_search,
        "request_form": request_form,
    }


GOALS = {
    "public_pages": (
        "≥ 300 req/s, p99 < 150 ms",
        lambda r: (r.rps or 0) >= 300 and (r.p99_ms or 1e9) < 150,
    ),
    "facilitation_api": ("p99 < 20 ms", lambda r: (r.p99_ms or 1e9) < 20),
    "routing_api": ("p99 < 20 ms", lambda r: (r.p99_ms or 1e9) < 20),
    "commune_search_api": ("p99 < 30 ms", lambda r: (r.p99_ms or 1e9) < 30),
    "request_form": ("(no goal: GET + POST, writes)", lambda r: True),
}


# The public pages and lookups (#15): ≥ 1,000 req/s at 32 connections, p99 < 100 ms —
# half the no-database ceiling measured on this machine (2,175 req/s).
WRK_GOAL = "≥ 1,000 req/s, p99 < 100 ms"
ONE_CLIENT_GOAL = "p99 < 10 ms"


def _wrk_met(result: Result) -> bool:
    return (
        (result.rps or 0) >= 1000
        and (result.p99_ms or 1e9) < 100
        and result.extra.get("failed_share", 1) < 0.01
    )


def _served_insees(insees: list[str], count: int = 100) -> list[str]:
    """Communes whose facilitation answers 200 (in a covered region)."""
    from clauses.network.api import _facilitation

    return [i for i in insees[: count * 3] if _facilitation(i)[0] == 200][:count] or insees


def warm(port: int, calls: list, passes: int = 1) -> list[float]:
    """Send every call `passes` times on one keep-alive connection (the cache's steady
    state: each URL computed once); the first pass's latencies in ms (the misses)."""
    import http.client

    first: list[float] = []
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for number in range(passes):
            for call in calls:
                headers = {"Content-Type": "application/json"} if call.body else {}
                t0 = time.perf_counter()
                conn.request(call.method, call.path, body=call.body or None, headers=headers)
                conn.getresponse().read()
                if number == 0:
                    first.append((time.perf_counter() - t0) * 1000)
    finally:
        conn.close()
    return first


def row_calls(insees: list[str]) -> dict[str, list]:
    """The wrk rows: the ceiling, then every public page and lookup API of #15."""
    from bench import wrk
    from bench.inprocess import SEARCHES

    served = _served_insees(insees)
    departments = sorted({i[:3] if i.startswith("97") else i[:2] for i in served})
    route = [
        wrk.Call(
            "/api/v1/desk/route",
            "POST",
            json.dumps({"kind": "social_advice", "execution_communes": [i]}),
        )
        for i in served
    ]
    return {
        "ceiling: /sante/ (no database)": [wrk.Call("/sante/")],
        "home": [wrk.Call("/")],
        "network page": [wrk.Call("/reseau/")],
        "département pages": [wrk.Call(f"/reseau/departements/{d}/") for d in departments],
        "find my facilitator": [
            wrk.Call(f"/reseau/trouver-mon-facilitateur/?commune={i}") for i in served
        ],
        "facilitation API": [wrk.Call(f"/api/v1/communes/{i}/facilitation") for i in served],
        "commune search API": [
            wrk.Call("/api/v1/communes?q=" + urllib.parse.quote(q)) for q in SEARCHES
        ],
        "routing dry run API": route,
    }


def _combined(name: str, parts: list[Result], **kwargs: object) -> Result:
    """Slices of one row as one: requests over the summed duration; p50 the median of the
    slices' p50, p99 the worst slice's p99 (conservative)."""
    samples = sum(p.samples for p in parts)
    seconds = sum(p.samples / p.rps for p in parts if p.rps)
    result = Result(
        name=name,
        volume=parts[0].volume.replace(
            parts[0].volume.split(", ")[1], f"{seconds:.0f} s in {len(parts)} slices"
        ),
        samples=samples,
        median_ms=statistics.median(p.median_ms for p in parts if p.median_ms is not None),
        p99_ms=max(p.p99_ms for p in parts if p.p99_ms is not None),
        rps=samples / seconds if seconds else None,
        **kwargs,
    )
    failed = sum(p.extra.get("errors", 0) + p.extra.get("non_2xx_3xx", 0) for p in parts)
    result.extra = {"failed_share": round(failed / max(1, samples), 4)}
    return result


def wrk_rows(
    port: int,
    insees: list[str],
    seconds: float,
    *,
    pids: Callable[[], list[int]] = list,
    passes: int = 1,
    rows: set[str] | None = None,
    one_client: bool = True,
    slice_seconds: float = 5.0,
) -> list[Result]:
    """Each row: every URL requested `passes` times (the misses, timed), 1 s of wrk at 4
    connections, then `seconds` at 32 connections in slices of `slice_seconds`, each slice
    followed by a slice of the ceiling (`/sante/`): on a shared machine the load changes
    from minute to minute, so every row is compared with the ceiling measured beside it.
    The load average is noted beside each row; the ceiling row sums all its slices.

    The web workers' CPU time per request (`pids()`: the workers, read from /proc) is the
    figure the other engineers' load does not move much: on a CPU-bound server the share
    of the ceiling's throughput a row can reach is the ceiling's CPU per request divided by
    the row's."""
    from bench import wrk

    calls_by_row = row_calls(insees)
    ceiling_calls = calls_by_row.pop("ceiling: /sante/ (no database)")
    slices = max(1, round(seconds / slice_seconds))
    per_slice = seconds / slices
    warm(port, ceiling_calls, passes)
    wrk.run(port, "ceiling", ceiling_calls, seconds=1, connections=4)
    results: list[Result] = []
    all_ceiling: list[Result] = []
    all_ceiling_cpu = 0.0
    for name, calls in calls_by_row.items():
        if rows is not None and name not in rows:
            continue
        misses = warm(port, calls, passes)
        wrk.run(port, name, calls, seconds=1, connections=4)
        loads, parts, beside = [], [], []
        cpu = {"row": 0.0, "ceiling": 0.0}
        for _ in range(slices):
            loads.append(os.getloadavg()[0])
            for kind, into, what in (("row", parts, calls), ("ceiling", beside, ceiling_calls)):
                workers = pids()
                before = cpu_seconds(workers)
                into.append(wrk.run(port, name, what, seconds=per_slice))
                cpu[kind] += cpu_seconds(workers) - before
        all_ceiling += beside
        all_ceiling_cpu += cpu["ceiling"]
        ceiling = _combined("ceiling", beside)
        result = _combined(
            f"HTTP {name}",
            parts,
            goal=WRK_GOAL,
            reference=f"ceiling beside it {ceiling.rps or 0:,.0f} req/s",
        )
        share = (result.rps or 0) / ceiling.rps if ceiling.rps else 0.0
        load = statistics.mean(loads)
        row_cpu_ms = 1000 * cpu["row"] / max(1, result.samples)
        ceiling_cpu_ms = 1000 * cpu["ceiling"] / max(1, ceiling.samples)
        if cpu["row"]:
            result.extra.update(
                cpu_ms_per_request=round(row_cpu_ms, 3),
                ceiling_cpu_ms_per_request=round(ceiling_cpu_ms, 3),
                cpu_share_of_ceiling=round(ceiling_cpu_ms / row_cpu_ms, 3),
            )
        result.met = _wrk_met(result)
        result.extra.update(
            load_average=round(load, 1),
            ceiling_rps=round(ceiling.rps or 0, 1),
            ceiling_p99_ms=ceiling.p99_ms,
            share_of_ceiling=round(share, 3),
            miss_ms_median=round(percentile(misses, 0.5), 1),
            miss_ms_max=round(max(misses), 1),
            urls=len(calls),
        )
        result.note = (
            f"load {load:.1f}; {share:.0%} of the ceiling beside it; first request of each "
            f"URL (miss) median {result.extra['miss_ms_median']:,.0f} ms"
        )
        if cpu["row"]:
            result.note += (
                f"; workers' CPU {row_cpu_ms:.2f} ms/request, ceiling {ceiling_cpu_ms:.2f}"
                f" ({ceiling_cpu_ms / row_cpu_ms:.0%})"
            )
        results.append(result)
    if all_ceiling:
        ceiling = _combined("HTTP ceiling: /sante/ (no database)", all_ceiling, goal="(reference)")
        ceiling.note = "the slices measured beside every row"
        if all_ceiling_cpu:
            per_request = 1000 * all_ceiling_cpu / max(1, ceiling.samples)
            ceiling.extra["cpu_ms_per_request"] = round(per_request, 3)
            ceiling.note += f"; workers' CPU {per_request:.2f} ms/request"
        results.insert(0, ceiling)
    if not one_client:
        return results
    for name, calls in (
        ("network page", calls_by_row["network page"]),
        ("facilitation API", calls_by_row["facilitation API"]),
        ("ceiling /sante/", ceiling_calls),
    ):
        load = os.getloadavg()[0]
        result = wrk.run(
            port,
            f"HTTP one client: {name}",
            calls,
            seconds=max(2, seconds / 2),
            connections=1,
            threads=1,
            goal=ONE_CLIENT_GOAL,
        )
        result.met = (result.p99_ms or 1e9) < 10
        result.note = f"load {load:.1f}"
        result.extra["load_average"] = round(load, 1)
        results.append(result)
    return results


def load_tests(
    var_dir: Path,
    *,
    clients: int = 32,
    seconds: float = 20,
    max_requests: int = 200_000,
    only: set[str] | None = None,
    workers: int = 2,
    threads: int = 4,
) -> list[Result]:
    """The GET rows with `wrk` (keep-alive, 32 connections, the ceiling row first); the
    form POSTs with the Python client (`only` names its scenarios; "wrk" the wrk rows)."""
    from bench.inprocess import sample_communes

    communes = sample_communes(500, seed=3)
    insees = [c.insee for c in communes]
    names = [c.name.split("-")[0] for c in communes[:50]]
    collectstatic(var_dir)
    results = []
    with Server(var_dir, workers=workers, threads=threads) as server:
        if not only or "wrk" in only:
            sampler = RssSampler(server)
            sampler.start()
            shared = bool(server.env.get("REDIS_URL"))
            try:
                # With a per-worker cache, enough passes for every worker to see each URL.
                rows = wrk_rows(
                    server.port,
                    insees,
                    seconds,
                    pids=lambda: server.pids()[1:],
                    passes=1 if shared else workers + 1,
                )
            finally:
                sampler.stop.set()
                sampler.join()
            peaks = {str(k): round(v, 1) for k, v in sampler.peak.items()}
            for row in rows:
                row.extra["worker_peak_rss_mb"] = peaks
                row.extra["cache"] = cache_label(server.env)
                row.volume += f", {workers}×{threads}, {cache_label(server.env)}"
            results.extend(rows)
        for key, scenario in scenarios(insees, names).items():
            if only is None and key != "request_form":
                continue  # measured by wrk above; the Python client keeps the form POSTs
            if only and key not in only:
                continue
            goal, check = GOALS[key]
            duration = seconds if key != "request_form" else max(2.0, seconds / 2)
            # Warm-up: every worker imports its templates and opens its connection.
            asyncio.run(_load(sender(server.port), scenario, 4, 1.0, 50))
            result = run_load(
                server,
                f"HTTP {key}",
                scenario,
                clients=clients,
                seconds=duration,
                max_requests=max_requests,
                goal=goal,
                check=check,
            )
            results.append(result)
        peak = max(
            (v for r in results for v in r.extra.get("worker_peak_rss_mb", {}).values()),
            default=0.0,
        )
        memory = Result(
            "web workers peak RSS (MB)",
            f"{workers} workers × {threads} threads",
            len(results),
            median_ms=None,
            goal="≤ 300 MB",
            note=f"{peak:.0f} MB",
        )
        memory.extra["peak_mb"] = peak
        memory.met = peak <= 300
        results.append(memory)
    return results


# -- sizing: workers × threads chosen by measurement -----------------------------------------

SIZING_ROWS = {"home", "facilitation API", "routing dry run API"}


def sizing(
    var_dir: Path,
    shapes: list[tuple[int, int]],
    seconds: float,
    rows: set[str] = SIZING_ROWS,
    slice_seconds: float = 5.0,
) -> list[Result]:
    """The ceiling and a few rows for each gunicorn shape (workers × threads), one server
    after the other on the same database, each with its workers' peak RSS."""
    from bench.inprocess import sample_communes

    insees = [c.insee for c in sample_communes(500, seed=3)]
    collectstatic(var_dir)
    results: list[Result] = []
    for workers, threads in shapes:
        with Server(var_dir, workers=workers, threads=threads) as server:
            sampler = RssSampler(server)
            sampler.start()
            shared = bool(server.env.get("REDIS_URL"))
            try:
                found = wrk_rows(
                    server.port,
                    insees,
                    seconds,
                    pids=lambda server=server: server.pids()[1:],
                    passes=1 if shared else workers + 1,
                    rows=rows,
                    one_client=False,
                    slice_seconds=slice_seconds,
                )
            finally:
                sampler.stop.set()
                sampler.join()
            peak = max(sampler.peak.values(), default=0.0)
            for row in found:
                row.name = f"{workers}×{threads} {row.name}"
                row.volume += f", {cache_label(server.env)}"
                row.extra["worker_peak_rss_mb"] = round(peak, 1)
                row.note += f"; worker peak {peak:.0f} MB"
            results.extend(found)
    return results


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.http --shapes 2x4,3x2,4x2 [--seconds 10]` on the configured
    database: the sizing table of docs/deployment.md."""
    import argparse

    from bench.__main__ import setup_django, table

    parser = argparse.ArgumentParser(prog="python -m bench.http", description=main.__doc__)
    parser.add_argument("--shapes", default="2x4,3x2,4x2", help="workers×threads, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rows", default=",".join(sorted(SIZING_ROWS)))
    parser.add_argument("--slice-seconds", type=float, default=5.0)
    parser.add_argument("--var-dir", default=os.environ.get("CLAUSES_VAR_DIR", str(ROOT / "var")))
    args = parser.parse_args(argv)
    shapes = [tuple(int(n) for n in shape.split("x")) for shape in args.shapes.split(",")]
    var_dir = Path(args.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(var_dir)
    results = sizing(
        var_dir,
        shapes,
        min(60.0, args.seconds),
        set(args.rows.split(",")),
        slice_seconds=args.slice_seconds,
    )
    print(table(results))
    out = ROOT / "bench" / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}-sizing.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([r.as_dict() for r in results], indent=1, ensure_ascii=False))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
