"""Load the quartiers prioritaires (QPV) from a CSV a territory provides.

No open list is shipped (see data/README.md), so this loader is not part of `load_reference`.
Expected file: UTF-8, comma-separated, header `code,nom,communes_insee`, communes separated by
`|`. Every row is checked before anything is written; dry run unless `--wet-run`.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from clauses.core.loading import Diff, LoadError, ReferenceLoaderCommand, read_csv, sync_table
from clauses.territories.models import Commune, Qpv

COLUMNS = ["code", "nom", "communes_insee"]
MAX_CODE = Qpv._meta.get_field("code").max_length
MAX_NAME = Qpv._meta.get_field("name").max_length


def check_rows(raw: list[dict[str, str]], known_insee: set[str]) -> list[str]:
    """French messages for every bad cell, with its line number (the header is line 1)."""
    errors = []
    seen: dict[str, int] = {}
    for line, row in enumerate(raw, start=2):
        code, name, communes = row["code"], row["nom"], row["communes_insee"]
        if not code:
            errors.append(f"ligne {line}, colonne code : valeur vide.")
        elif len(code) > MAX_CODE:
            errors.append(f"ligne {line}, colonne code : « {code} » dépasse {MAX_CODE} caractères.")
        elif code in seen:
            errors.append(f"ligne {line}, colonne code : « {code} » déjà vu ligne {seen[code]}.")
        else:
            seen[code] = line
        if not name:
            errors.append(f"ligne {line}, colonne nom : valeur vide.")
        elif len(name) > MAX_NAME:
            errors.append(f"ligne {line}, colonne nom : dépasse {MAX_NAME} caractères.")
        insee_codes = [part.strip() for part in communes.split("|") if part.strip()]
        if not insee_codes:
            errors.append(f"ligne {line}, colonne communes_insee : aucune commune.")
        for insee in insee_codes:
            if insee not in known_insee:
                errors.append(
                    f"ligne {line}, colonne communes_insee : commune inconnue « {insee} »."
                )
    return errors


class Command(ReferenceLoaderCommand):
    help = (
        "Charge les quartiers prioritaires de la politique de la ville depuis un fichier CSV "
        "(colonnes code, nom, communes_insee séparées par « | »). Simulation sans --wet-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--file", type=Path, help="Chemin du fichier CSV des QPV.")

    def load(self, *, wet_run: bool, **options: Any) -> Iterable[Diff]:
        path = options.get("file")
        if not path:
            raise LoadError("Indiquez le fichier des QPV avec --file CHEMIN.")
        path = Path(path)
        raw = read_csv(path, COLUMNS)
        errors = check_rows(raw, set(Commune.objects.values_list("insee", flat=True)))
        if errors:
            raise LoadError(
                f"{path.name} : {len(errors)} erreur(s), rien n'a été écrit.\n" + "\n".join(errors)
            )
        qpvs = [{"code": row["code"], "name": row["nom"]} for row in raw]
        links = [
            {"qpv": row["code"], "commune": insee}
            for row in raw
            for insee in dict.fromkeys(p.strip() for p in row["communes_insee"].split("|"))
            if insee
        ]
        link_args: dict[str, Any] = {
            "references": {"qpv": "code", "commune": "insee"},
            "label": "communes des QPV",
        }
        key = ("qpv", "commune")
        # Counted before writing: removing a QPV deletes its links by cascade, and the
        # report of a wet run must read like the dry run's.
        links_diff = sync_table(Qpv.communes.through, key, links, wet_run=False, **link_args)
        qpv_diff = sync_table(Qpv, "code", qpvs, wet_run=wet_run, stdout=self.out)
        if wet_run:
            sync_table(Qpv.communes.through, key, links, wet_run=True, **link_args)
        if self.out is not None:
            self.out.write(links_diff.summary())
        return [qpv_diff, links_diff]
