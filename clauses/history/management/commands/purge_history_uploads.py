"""Delete the history files uploaded in the wizard more than 24 hours ago (personal data
kept no longer than the import needs). Dry run unless `--wet-run`; to schedule hourly or
nightly beside the other housekeeping commands."""

from django.core.management.base import BaseCommand, CommandParser

from clauses.history import services


class Command(BaseCommand):
    help = (
        "Supprime les fichiers d'historique déposés depuis plus de 24 heures "
        "(simulation sans --wet-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wet-run", action="store_true", help="Supprimer (sinon compter).")

    def handle(self, *args: object, **options: object) -> None:
        wet_run = bool(options["wet_run"])
        count = services.purge_expired_uploads(wet_run=wet_run)
        verb = "supprimé(s)" if wet_run else "à supprimer (simulation)"
        self.stdout.write(f"{count} fichier(s) d'historique de plus de 24 heures {verb}.")
