"""Announce the eligibility validations that end within 30 days, once each, to the
facilitators of the person's structure (`notifications.expiring`).

Dry run unless `--wet-run` (as every periodic command): says how many would be announced.
"""

from django.core.management.base import BaseCommand, CommandParser

from clauses.notifications import expiring


class Command(BaseCommand):
    help = (
        "Prévient les facilitateurs des éligibilités qui expirent dans les 30 jours "
        "(simulation sans --wet-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run", action="store_true", help="Créer les notifications (sinon simulation)."
        )

    def handle(self, *args: object, **options: object) -> None:
        if not options["wet_run"]:
            count = expiring.count_pending()
            self.stdout.write(
                f"{count} éligibilité(s) qui expire(nt) bientôt à annoncer. Simulation : "
                "relancez avec --wet-run pour prévenir les facilitateurs."
            )
            return
        told = expiring.notify_expiring()
        self.stdout.write(self.style.SUCCESS(f"{told} éligibilité(s) annoncée(s)."))
