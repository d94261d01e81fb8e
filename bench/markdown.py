"""`python -m bench.markdown bench/results/<file>.json`: the results as a Markdown table
(for docs/performance.md)."""

import json
import sys
from pathlib import Path


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    if value < 1:
        return f"{value:.3f}"
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def render(report: dict) -> str:
    lines = [
        "| benchmark | volume | n | median ms | p95 ms | p99 ms | req/s | reference | ref ms "
        "| × ref | goal | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        goal = r["goal"] + (f" ({r['note']})" if r["note"] else "")
        rps = f"{r['rps']:,.0f}" if r["rps"] else ""
        ratio = f"{r['ratio']:.1f}" if r["ratio"] else ""
        cells = [r["name"], r["volume"], str(r["samples"]), _ms(r["median_ms"]),
                 _ms(r["p95_ms"]), _ms(r["p99_ms"]), rps, r["reference"],
                 _ms(r["reference_ms"]), ratio, goal, met]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    machine = report["machine"]
    dataset = ", ".join(f"{k.split('.')[-1]} {v:,}" for k, v in report["dataset"].items())
    lines.append("")
    lines.append(
        f"Scale `{report['scale']}`, run {report['started']} ({report['seconds']} s); "
        f"{machine.get('cpus')} CPUs ({machine.get('cpu', '?')}), "
        f"{machine.get('memory_gb', '?')} GB, {machine.get('database')} "
        f"{machine.get('postgresql', '')}, Python {machine.get('python')}. Dataset: {dataset}."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1]).read_text())))
