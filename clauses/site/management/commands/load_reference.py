"""Load every reference table the platform needs, from `data/` (dry run unless --wet-run)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# Order matters: the network hangs on the territories.
# The eligibility criteria referential (national rows) hangs on nothing but is needed on
# every deploy: it is loaded last.
REFERENCE_COMMANDS = [
    "load_territories",
    "load_cpv",
    "load_naf",
    "load_network",
    "load_partners",
    "load_eligibility_criteria",
]


class Command(BaseCommand):
    help = (
        "Charge toutes les données de référence (territoires, CPV, NAF, réseau, partenaires, "
        "critères d'éligibilité)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wet-run", action="store_true", help="Écrire réellement.")

    def handle(self, *args: object, wet_run: bool, **options: object) -> None:
        verbosity = int(options.get("verbosity", 1))
        for name in REFERENCE_COMMANDS:
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING(f"— {name}"))
            call_command(
                name,
                wet_run=wet_run,
                verbosity=verbosity,
                stdout=self.stdout,
                stderr=self.stderr,
            )
