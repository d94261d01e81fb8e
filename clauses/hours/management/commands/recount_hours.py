"""Recount the counted hours of every declaration (after a change of counting settings,
or to repair counts). Dry run unless `--wet-run`: prints what would change."""

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from clauses.hours import services
from clauses.hours.models import HourDeclaration


class Command(BaseCommand):
    help = "Recalcule les heures comptées de toutes les déclarations (simulation sans --wet-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run", action="store_true", help="Appliquer les changements (sinon simulation)."
        )

    def handle(self, *args: object, **options: object) -> None:
        wet = bool(options["wet_run"])
        changes: list = []
        with transaction.atomic():
            services.recount(HourDeclaration.objects.all(), wet_run=wet, changes=changes)
        for declaration, before in changes:
            self.stdout.write(
                f"Déclaration n° {declaration.pk} ({declaration.month:%m/%Y}) : "
                f"{before} h → {declaration.counted_hours} h ({declaration.counting_rule})"
            )
        total = HourDeclaration.objects.count()
        if wet:
            self.stdout.write(
                self.style.SUCCESS(f"{len(changes)} déclaration(s) recalculée(s) sur {total}.")
            )
        else:
            self.stdout.write(
                f"{len(changes)} déclaration(s) à recalculer sur {total}. Simulation : "
                "relancez avec --wet-run pour appliquer."
            )
