"""`python -m bench [--scale tiny|region|national] [--only …]`: run the benchmarks on the
configured database (DATABASE_URL, else the SQLite file of the var directory), print one
table and save the figures as JSON under bench/results/ (git-ignored).

The dataset comes first: `python -m bench.dataset --scale … --wet-run` (docs/performance.md).
Settings are the production ones (`clauses.settings.base`) with a throwaway secret.
"""

import argparse
import json
import os
import platform
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUPS = (
    "routing",
    "search",
    "facilitation",
    "reports",
    "import",
    "history",
    "observatory",
    "http",
)
OPT_IN = ("experiments",)  # measured suggestions for other apps (bench/experiments.py)
DEFAULTS = {
    "tiny": {
        "runs": 20,
        "import_rows": 300,
        "seconds": 2.0,
        "clients": 4,
        "report_runs": 3,
        "decp_rows": 20_000,
        "history_rows": 2_000,
    },
    "region": {
        "runs": 300,
        "import_rows": 100_000,
        "seconds": 20.0,
        "clients": 32,
        "report_runs": 5,
        "decp_rows": 1_000_000,
        "history_rows": 50_000,
    },
    "national": {
        "runs": 300,
        "import_rows": 100_000,
        "seconds": 20.0,
        "clients": 32,
        "report_runs": 3,
        "decp_rows": 1_000_000,
        "history_rows": 50_000,
    },
}


def setup_django(var_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses.settings.base")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CLAUSES_VAR_DIR", str(var_dir))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine() -> dict:
    from django.db import connection

    info = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "database": connection.vendor,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        info["memory_gb"] = round(
            int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1
        )
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    return info


def dataset_counts() -> dict:
    from clauses.desk.models import Request
    from clauses.followup.models import Assignment, Participant
    from clauses.hours.models import HourDeclaration
    from clauses.markets.models import Market, SocialConsideration
    from clauses.network.models import Facilitator

    return {
        model._meta.label: model.objects.count()
        for model in (
            Market,
            SocialConsideration,
            Participant,
            Assignment,
            HourDeclaration,
            Request,
            Facilitator,
        )
    }


def run(
    groups: set[str],
    scale: str,
    *,
    var_dir: Path,
    runs: int,
    import_rows: int,
    seconds: float,
    clients: int,
    duckdb: bool,
    http_only: set[str] | None = None,
    report_runs: int = 5,
    decp_rows: int = 20_000,
    history_rows: int = 2_000,
    log=print,
) -> list:  # noqa: ANN001
    from bench import inprocess
    from bench.core import Result

    def routing() -> list:
        return inprocess.routing(runs)

    def search() -> list:
        return inprocess.commune_search(runs)

    def facilitation() -> list:
        return inprocess.facilitation(runs)

    def reports() -> list:
        duck = None
        if duckdb:
            from bench.duck import Reference

            log("  export to Parquet for DuckDB…")
            duck = Reference()
            log(f"  exported {sum(duck.rows.values()):,} rows in {duck.export_seconds:.1f} s")
        from bench import reviews  # closed years: first computation and kept read (#15)

        live = inprocess.reports(runs=report_runs, duck=duck)
        return live + reviews.run(runs=report_runs, duck=duck, log=log)

    def import_() -> list:
        from bench import imports

        return imports.run(import_rows)

    def history() -> list:
        from bench import history as history_import

        log(f"  {history_rows:,} generated history rows (#14.1)")
        return history_import.run(history_rows)

    def observatory() -> list:
        from bench import observatory as decp

        log(f"  {decp_rows:,} generated DECP records")
        return decp.run(decp_rows)

    def experiments() -> list:
        from bench import experiments

        return experiments.run(runs=report_runs)

    def http() -> list:
        from bench.http import load_tests

        log(f"  {clients} clients, {seconds:g} s per scenario")
        return load_tests(var_dir, clients=clients, seconds=seconds, only=http_only)

    steps = {
        "routing": routing,
        "search": search,
        "facilitation": facilitation,
        "reports": reports,
        "import": import_,
        "history": history,
        "observatory": observatory,
        "experiments": experiments,
        "http": http,
    }
    results = []
    for name, step in steps.items():
        if name not in groups:
            continue
        log(f"{name}…")
        try:
            results += step()
        except Exception as exc:  # noqa: BLE001 — one failed benchmark must not stop the rest
            results.append(Result(name, "", 0, note=f"failed: {exc!r}"[:300], met=False))
    return results


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    if value < 1:
        return f"{value:.3f}"
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def table(results: list) -> str:
    header = (
        "benchmark",
        "volume",
        "n",
        "median ms",
        "p95 ms",
        "p99 ms",
        "req/s",
        "reference ms",
        "× ref",
        "goal",
        "met",
    )
    rows = [
        (
            r.name,
            r.volume,
            str(r.samples),
            _ms(r.median_ms),
            _ms(r.p95_ms),
            _ms(r.p99_ms),
            f"{r.rps:,.0f}" if r.rps else "",
            _ms(r.reference_ms),
            f"{r.ratio:.1f}" if r.ratio else "",
            r.goal + (f" ({r.note})" if r.note else ""),
            "" if r.met is None else ("yes" if r.met else "NO"),
        )
        for r in results
    ]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale",
        choices=sorted(DEFAULTS),
        default="tiny",
        help="labels the run and sets its sizes (the data must exist)",
    )
    parser.add_argument(
        "--only", default="", help=f"comma-separated among {', '.join(GROUPS + OPT_IN)}"
    )
    parser.add_argument("--http", default="", help="HTTP scenarios only (comma-separated)")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--import-rows", type=int)
    parser.add_argument("--report-runs", type=int, help="runs of each report and experiment")
    parser.add_argument("--decp-rows", type=int, help="generated DECP records to import")
    parser.add_argument("--history-rows", type=int, help="generated history rows to import")
    parser.add_argument("--seconds", type=float, help="per HTTP scenario (≤ 60)")
    parser.add_argument("--clients", type=int, help="concurrent HTTP clients (≤ 64)")
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument("--var-dir", default=os.environ.get("CLAUSES_VAR_DIR", str(ROOT / "var")))
    parser.add_argument("--out", help="JSON file (default bench/results/<time>-<scale>.json)")
    args = parser.parse_args(argv)
    sizes = dict(DEFAULTS[args.scale])
    for key in (
        "runs",
        "import_rows",
        "seconds",
        "clients",
        "report_runs",
        "decp_rows",
        "history_rows",
    ):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    sizes["seconds"] = min(60.0, sizes["seconds"])
    sizes["clients"] = min(64, sizes["clients"])
    groups = set(filter(None, args.only.split(","))) or set(GROUPS)
    unknown = groups - set(GROUPS) - set(OPT_IN)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    var_dir = Path(args.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(var_dir)
    started = time.monotonic()
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    results = run(
        groups,
        args.scale,
        var_dir=var_dir,
        duckdb=not args.no_duckdb,
        http_only=set(filter(None, args.http.split(","))) or None,
        log=log,
        **sizes,
    )
    print(table(results))
    report = {
        "scale": args.scale,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine(),
        "dataset": dataset_counts(),
        "sizes": sizes,
        "results": [r.as_dict() for r in results],
    }
    out = (
        Path(args.out)
        if args.out
        else (
            ROOT
            / "bench"
            / "results"
            / (time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{args.scale}.json")
        )
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\n{out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
