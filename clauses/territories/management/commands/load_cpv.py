"""Load the CPV 2008 main vocabulary from `data/cpv/cpv_2008.csv` (dry run unless --wet-run)."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from clauses.core.loading import Diff, LoadError, ReferenceLoaderCommand, read_csv, sync_table
from clauses.core.text import fold
from clauses.territories.enums import MarketKind
from clauses.territories.models import CpvCode

MARKET_KINDS = {
    "Travaux": MarketKind.WORKS,
    "Fournitures": MarketKind.SUPPLIES,
    "Services": MarketKind.SERVICES,
}
COLUMNS = [
    "code",
    "code8",
    "libelle_fr",
    "libelle_en",
    "niveau",
    "parent_code8",
    "division",
    "type_marche",
]


def cpv_rows(path: Path) -> list[dict[str, Any]]:
    """Rows for `CpvCode`, parent given by its 8-digit code."""
    rows = []
    for line, c in enumerate(read_csv(path, COLUMNS), start=2):
        if c["type_marche"] not in MARKET_KINDS:
            raise LoadError(
                f"{path.name}, ligne {line}, colonne type_marche : « {c['type_marche']} » "
                "n'est ni Travaux, ni Fournitures, ni Services."
            )
        if not c["niveau"].isdigit():
            raise LoadError(f"{path.name}, ligne {line}, colonne niveau : « {c['niveau']} ».")
        rows.append(
            {
                "code8": c["code8"],
                "code": c["code"],
                "label": c["libelle_fr"],
                "label_en": c["libelle_en"],
                "level": int(c["niveau"]),
                "parent": c["parent_code8"] or None,
                "division": c["division"],
                "market_kind": MARKET_KINDS[c["type_marche"]].value,
                "search_label": fold(c["libelle_fr"]),
            }
        )
    return rows


class Command(ReferenceLoaderCommand):
    help = "Charge le vocabulaire CPV 2008 depuis data/cpv/. Simulation sans --wet-run."

    def load(self, *, wet_run: bool, **options: Any) -> Iterable[Diff]:
        rows = cpv_rows(Path(settings.DATA_DIR) / "cpv" / "cpv_2008.csv")
        return [
            sync_table(
                CpvCode,
                "code8",
                rows,
                references={"parent": "code8"},
                wet_run=wet_run,
                stdout=self.out,
            )
        ]
