"""Load the national eligibility referential (clause publics and IAE levels) from
`clauses.followup.rules`. Dry run unless `--wet-run`: prints the diff. Idempotent: part of
`load_reference` (every deploy)."""

from django.core.management.base import BaseCommand, CommandParser

from clauses.followup import referential


class Command(BaseCommand):
    help = "Charge le référentiel national des critères d'éligibilité (simulation sans --wet-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run", action="store_true", help="Appliquer les changements (sinon simulation)."
        )

    def handle(self, *args: object, **options: object) -> None:
        wet = bool(options["wet_run"])
        verbosity = int(options.get("verbosity", 1))
        diff = referential.load_national_criteria(wet_run=wet)
        if not verbosity:
            return
        for code in diff.added:
            self.stdout.write(f"+ {code}")
        for code in diff.changed:
            self.stdout.write(f"~ {code}")
        summary = (
            f"{len(diff.added)} ajouté(s), {len(diff.changed)} modifié(s), "
            f"{diff.unchanged} inchangé(s)."
        )
        if wet:
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(summary + " Simulation : relancez avec --wet-run pour appliquer.")
