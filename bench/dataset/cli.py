"""The command line of the dataset generator (`python -m bench.dataset`); messages in French
like the project's commands. A dry run unless `--wet-run`."""

import argparse
import json
import sys
from dataclasses import replace
from typing import TextIO

from bench.dataset.common import SCALES, Scale


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.dataset",
        description=(
            "Génère un jeu de données synthétique déterministe (région ou France entière) pour "
            "les mesures de performance, dans une base fraîche (migrate + load_reference)."
        ),
    )
    p.add_argument("--scale", choices=sorted(SCALES), default="tiny")
    p.add_argument("--years", type=int, default=None, help="Années (10 par défaut).")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-copy", action="store_true", help="Pas de COPY PostgreSQL.")
    p.add_argument("--json", action="store_true", help="Résumé en JSON.")
    p.add_argument("--wet-run", action="store_true", help="Écrire réellement.")
    p.add_argument("-v", "--verbosity", type=int, default=1, help="0 : sans progression.")
    return p


def main(argv: list[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the generator (Django already set up); returns the exit code."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    options = parser().parse_args(argv)
    scale = SCALES[options.scale]
    if options.years:
        if not 1 <= options.years <= 20:
            stderr.write("--years : entre 1 et 20.\n")
            return 2
        scale = replace(scale, years=options.years)
    if not options.wet_run:
        stdout.write(_dry_run(scale, options.seed) + "\n")
        return 0
    from bench.dataset.generator import Generator
    from bench.dataset.sink import Progress

    progress = Progress(stderr, quiet=options.verbosity == 0)
    generator = Generator(scale, seed=options.seed, progress=progress, use_copy=not options.no_copy)
    try:
        summary = generator.run()
    except RuntimeError as exc:
        stderr.write(f"{exc}\n")
        return 1
    if options.json:
        stdout.write(json.dumps(summary.as_dict(), indent=2) + "\n")
        return 0
    for label, count in summary.counts.items():
        stdout.write(f"{label:45} {count:>12,}\n")
    stdout.write(
        f"heures déclarées {summary.hours_declared:,.0f}, comptées "
        f"{summary.hours_counted:,.0f} ({summary.first_month:%m/%Y}–"
        f"{summary.last_month:%m/%Y}), {summary.seconds:.0f} s\n"
    )
    return 0


def _dry_run(scale: Scale, seed: int) -> str:
    return (
        f"Essai à blanc : échelle {scale.name}, {scale.years} an(s), graine "
        f"{seed} : ≈ {scale.markets_per_year * scale.years:,} marchés, "
        f"{scale.assignments_per_year * scale.years:,} missions, "
        f"{scale.requests_per_year * scale.years:,} demandes au guichet, "
        f"{scale.buyers:,} acheteurs, {scale.synthetic_regions} régions synthétiques. "
        "Ajoutez --wet-run pour écrire."
    )
