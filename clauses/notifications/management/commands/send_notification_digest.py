"""Send the daily digest of notifications to the people who chose it.

Dry run unless `--wet-run` (as every periodic command): says how many would receive it.
"""

from django.core.management.base import BaseCommand, CommandParser

from clauses.notifications import services


class Command(BaseCommand):
    help = (
        "Envoie le récapitulatif quotidien des notifications aux personnes qui l'ont choisi "
        "(simulation sans --wet-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run", action="store_true", help="Envoyer les courriels (sinon simulation)."
        )

    def handle(self, *args: object, **options: object) -> None:
        if not options["wet_run"]:
            count = services.digest_recipients()
            self.stdout.write(
                f"{count} récapitulatif(s) à envoyer. Simulation : relancez avec --wet-run "
                "pour les envoyer."
            )
            return
        sent = services.send_digests()
        self.stdout.write(self.style.SUCCESS(f"{sent} récapitulatif(s) envoyé(s)."))
