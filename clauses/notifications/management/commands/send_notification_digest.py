"""Send the daily digest of notifications to the people who chose it."""

from django.core.management.base import BaseCommand

from clauses.notifications import services


class Command(BaseCommand):
    help = "Envoie le récapitulatif quotidien des notifications aux personnes qui l'ont choisi."

    def handle(self, *args: object, **options: object) -> None:
        sent = services.send_digests()
        self.stdout.write(self.style.SUCCESS(f"{sent} récapitulatif(s) envoyé(s)."))
