"""Anonymise the participants whose last assignment ended CLAUSES_FOLLOWUP_RETENTION_MONTHS
ago, and the candidates never hired past the same delay (RGPD storage limitation). Dry run
unless `--wet-run`: prints how many, never a name."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clauses.followup import services


class Command(BaseCommand):
    help = (
        "Anonymise les participant·es dont la dernière mission a pris fin depuis la durée de "
        "conservation (simulation sans --wet-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run", action="store_true", help="Appliquer les changements (sinon simulation)."
        )
        parser.add_argument(
            "--now", help="Date et heure de référence au format ISO (par défaut : maintenant)."
        )
        parser.add_argument(
            "--months", type=int, help="Durée de conservation en mois (sinon le réglage)."
        )

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        if options.get("now"):
            now = datetime.fromisoformat(str(options["now"]))
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        wet = bool(options["wet_run"])
        ids = services.anonymise_participants(
            now=now, wet_run=wet, retention_months=options.get("months")
        )
        candidate_ids = services.anonymise_candidates(
            now=now, wet_run=wet, retention_months=options.get("months")
        )
        for pk in ids:
            self.stdout.write(f"Participant·e n° {pk} : {'anonymisé·e' if wet else 'à anonymiser'}")
        for pk in candidate_ids:
            self.stdout.write(
                f"Candidat·e non recruté·e n° {pk} : {'anonymisé·e' if wet else 'à anonymiser'}"
            )
        if wet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(ids)} participant·e(s) et {len(candidate_ids)} candidat·e(s) "
                    "anonymisé·e(s)."
                )
            )
        else:
            self.stdout.write(
                f"{len(ids)} participant·e(s) et {len(candidate_ids)} candidat·e(s) à "
                "anonymiser. Simulation : relancez avec --wet-run pour appliquer."
            )
