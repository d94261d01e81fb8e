"""Import a DECP file (JSON 2024 or 2019 format, or the consolidated tabular CSV). Dry run
unless `--wet-run`: prints what it would create and update, and every rejected record with
its reason."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clauses.observatory import services


class Command(BaseCommand):
    help = (
        "Importe les données essentielles de la commande publique (DECP) d'un fichier JSON "
        "(format 2024 ou 2019) ou CSV tabulaire (simulation sans --wet-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True, help="Chemin du fichier DECP.")
        parser.add_argument(
            "--wet-run", action="store_true", help="Écrire les contrats (sinon simulation)."
        )
        parser.add_argument(
            "--batch-size", type=int, default=services.BATCH_SIZE, help="Contrats par lot."
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        batch_size = int(options["batch_size"])  # type: ignore[arg-type]
        if not 1 <= batch_size <= 100_000:
            raise CommandError("--batch-size doit être compris entre 1 et 100 000.")
        report = services.import_file(path, wet_run=bool(options["wet_run"]), batch_size=batch_size)
        for line in report.lines():
            self.stdout.write(line)
        if report.fatal:
            self.stderr.write(f"Fichier interrompu : {report.fatal}")
