"""Escalate the untaken desk requests past CLAUSES_DESK_ESCALATION_WORKING_DAYS.

Dry run unless `--wet-run`: prints what would climb, and where.
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clauses.desk import services


class Command(BaseCommand):
    help = (
        "Fait remonter d'un échelon les demandes du guichet non prises en charge dans le délai "
        "(simulation sans --wet-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run", action="store_true", help="Appliquer les changements (sinon simulation)."
        )
        parser.add_argument(
            "--now",
            help="Date et heure de référence au format ISO (par défaut : maintenant).",
        )

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        if options.get("now"):
            now = datetime.fromisoformat(str(options["now"]))
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        wet = bool(options["wet_run"])
        escalations = services.escalate_overdue(now=now, dry_run=not wet)
        verb = "remontée" if wet else "remonterait"
        for item in escalations:
            self.stdout.write(f"{item.reference} : {item.before} → {item.after.name} ({verb})")
        total = len(escalations)
        if wet:
            self.stdout.write(self.style.SUCCESS(f"{total} demande(s) remontée(s)."))
        else:
            self.stdout.write(
                f"{total} demande(s) à faire remonter. Simulation : relancez avec --wet-run "
                "pour appliquer."
            )
