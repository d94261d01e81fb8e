"""`manage.py generate_dataset --scale tiny|region|national [--years N] [--seed S] --wet-run`:
the synthetic benchmark dataset (see `clauses/core/dataset.py` and docs/performance.md)."""

import json
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clauses.core import dataset


class Command(BaseCommand):
    help = (
        "Génère un jeu de données synthétique déterministe (région ou France entière) pour les "
        "mesures de performance, dans une base fraîche (migrate + load_reference)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(dataset.SCALES), default="tiny")
        parser.add_argument("--years", type=int, default=None, help="Années (10 par défaut).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-copy", action="store_true", help="Pas de COPY PostgreSQL.")
        parser.add_argument("--json", action="store_true", help="Résumé en JSON.")
        parser.add_argument("--wet-run", action="store_true", help="Écrire réellement.")

    def handle(self, *args: object, **options: object) -> None:
        scale = dataset.SCALES[options["scale"]]
        if options["years"]:
            if not 1 <= options["years"] <= 20:
                raise CommandError("--years : entre 1 et 20.")
            scale = replace(scale, years=options["years"])
        if not options["wet_run"]:
            self.stdout.write(
                f"Essai à blanc : échelle {scale.name}, {scale.years} an(s), graine "
                f"{options['seed']} : ≈ {scale.markets_per_year * scale.years:,} marchés, "
                f"{scale.assignments_per_year * scale.years:,} missions, "
                f"{scale.requests_per_year * scale.years:,} demandes au guichet, "
                f"{scale.buyers:,} acheteurs, {scale.synthetic_regions} régions synthétiques. "
                "Ajoutez --wet-run pour écrire."
            )
            return
        progress = dataset.Progress(self.stderr, quiet=int(options["verbosity"]) == 0)
        generator = dataset.Generator(
            scale, seed=options["seed"], progress=progress, use_copy=not options["no_copy"]
        )
        try:
            summary = generator.run()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        else:
            for label, count in summary.counts.items():
                self.stdout.write(f"{label:45} {count:>12,}")
            self.stdout.write(
                f"heures déclarées {summary.hours_declared:,.0f}, comptées "
                f"{summary.hours_counted:,.0f} ({summary.first_month:%m/%Y}–"
                f"{summary.last_month:%m/%Y}), {summary.seconds:.0f} s"
            )
