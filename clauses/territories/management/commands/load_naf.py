"""Load NAF rév. 2, every level, from `data/naf/naf_rev2_tous_niveaux.csv` (dry run unless
--wet-run)."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from clauses.core.loading import Diff, LoadError, ReferenceLoaderCommand, read_csv, sync_table
from clauses.territories.enums import NafLevel
from clauses.territories.models import NafCode

LEVELS = {level.value for level in NafLevel}


def naf_rows(path: Path) -> list[dict[str, Any]]:
    """Rows for `NafCode`, parent given by its code."""
    rows = []
    for line, n in enumerate(read_csv(path, ["niveau", "code", "libelle", "parent_code"]), 2):
        if n["niveau"] not in LEVELS:
            raise LoadError(f"{path.name}, ligne {line}, colonne niveau : « {n['niveau']} ».")
        rows.append(
            {
                "code": n["code"],
                "level": n["niveau"],
                "label": n["libelle"],
                "parent": n["parent_code"] or None,
            }
        )
    return rows


class Command(ReferenceLoaderCommand):
    help = "Charge la NAF rév. 2 (tous niveaux) depuis data/naf/. Simulation sans --wet-run."

    def load(self, *, wet_run: bool, **options: Any) -> Iterable[Diff]:
        rows = naf_rows(Path(settings.DATA_DIR) / "naf" / "naf_rev2_tous_niveaux.csv")
        return [
            sync_table(
                NafCode,
                "code",
                rows,
                references={"parent": "code"},
                wet_run=wet_run,
                stdout=self.out,
            )
        ]
