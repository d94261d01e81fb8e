"""Load the insertion partners (SIAE, GEIQ, EA) of Île-de-France (dry run unless --wet-run).

Sources (see data/README.md, section siae/):
1. `data/siae/siae_idf_lemarche_fixture.csv` — Le marché de l'inclusion (gip-inclusion/
   le-marche), with coordinates: read first, it wins;
2. `data/siae/siae_idf_asp_2019.csv` — ASP list of July 2019: adds the (SIRET, mesure) pairs
   the first file lacks. One row per (structure, mesure), repeated per convention: the first
   one is kept.

Natural key: (SIRET, kind). Placing a row on a commune, from its postcode and town name:
- a postcode that belongs to exactly one Paris arrondissement → that arrondissement (the
  ASP writes "PARIS 04", Le marché "Paris");
- else the commune of that postcode whose name matches the town (names folded as in the
  commune search: "ST OUEN L AUMONE" = "Saint-Ouen-l'Aumône");
- else the most populated commune of that postcode;
- else a commune of that name in the row's département.
The département is the commune's (the ASP `dep_code` is the département of the convention
and sometimes differs from the address). A row that cannot be placed is **skipped and
reported** (French, file and line): one bad line must not block the directory.

Only the rows this loader owns (source starting with one of `SOURCES`, not demo) are ever
removed when they leave the files; partners entered by hand and demo rows are left alone.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from clauses.core.loading import Diff, LoadError, ReferenceLoaderCommand
from clauses.core.text import fold
from clauses.network.enums import PartnerKind
from clauses.network.loading import sync_with_history
from clauses.network.models import Partner
from clauses.territories.enums import CommuneKind
from clauses.territories.models import Commune, PostalCode

LEMARCHE_FILE = "siae_idf_lemarche_fixture.csv"
ASP_FILE = "siae_idf_asp_2019.csv"
LEMARCHE_SOURCE = "Le marché de l'inclusion"
ASP_SOURCE = "ASP, SIAE conventionnées (juillet 2019)"
SOURCES = (LEMARCHE_SOURCE, ASP_SOURCE)

KINDS = {
    "EI": PartnerKind.EI,
    "ACI": PartnerKind.ACI,
    "AI": PartnerKind.AI,
    "ETTI": PartnerKind.ETTI,
    "GEIQ": PartnerKind.GEIQ,
    "EA": PartnerKind.EA,
}


@dataclass(frozen=True)
class _Place:
    insee: str
    search_name: str
    kind: str
    population: int
    department: str


class CommunePlacer:
    """Find the commune of an address from its postcode and town (2 queries, then memory)."""

    def __init__(self) -> None:
        self.by_postcode: dict[str, list[_Place]] = {}
        for code, insee, name, kind, population, dep in PostalCode.objects.values_list(
            "code",
            "commune__insee",
            "commune__search_name",
            "commune__kind",
            "commune__population",
            "commune__department__code",
        ):
            self.by_postcode.setdefault(code, []).append(_Place(insee, name, kind, population, dep))
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for insee, name, dep in Commune.objects.values_list(
            "insee", "search_name", "department__code"
        ):
            self.by_name.setdefault((dep, name), []).append(insee)
        self.department_of = dict(Commune.objects.values_list("insee", "department__code"))

    def place(self, postcode: str, town: str, department: str) -> str | None:
        """INSEE code of the commune, or None when it cannot be placed."""
        candidates = self.by_postcode.get(postcode.strip(), [])
        arrondissements = [c for c in candidates if c.kind == CommuneKind.MUNICIPAL_ARRONDISSEMENT]
        if len(arrondissements) == 1:
            return arrondissements[0].insee
        folded = fold(town)
        named = [c for c in candidates if c.search_name == folded]
        if len(named) == 1:
            return named[0].insee
        if candidates:
            best = max(candidates, key=lambda c: (c.population, c.insee))
            return best.insee
        same_name = self.by_name.get((department.strip(), folded), [])
        if len(same_name) == 1:
            return same_name[0]
        return None


def _naf(code: str) -> str:
    """Turn 8810C into 88.10C (SIRENE format, as in the NAF table)."""
    code = code.strip().replace(".", "")
    return f"{code[:2]}.{code[2:]}" if len(code) == 5 else code


def _website(url: str) -> str:
    url = url.strip()
    if url and not url.startswith(("http://", "https://")):
        url = f"https://{url}"
    return url[:200]


def _float(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


def _read(path: Path, required: set[str]) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise LoadError(f"{path.name} : colonnes manquantes : {', '.join(sorted(missing))}.")
        for row in reader:
            # line_num is the physical line where the row ends (quoted newlines).
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


@dataclass
class PartnerRows:
    rows: list[dict[str, Any]]
    skipped: list[str]  # French messages, one per skipped line
    duplicates: int  # rows already given by an earlier line or file


def partner_rows(directory: Path, placer: CommunePlacer) -> PartnerRows:
    """Read both files into `sync_table` rows keyed by (siret, kind), in order."""
    result = PartnerRows(rows=[], skipped=[], duplicates=0)
    seen: set[tuple[str, str]] = set()

    def add(file: str, line: int, siret: str, kind_code: str, fields: dict[str, Any]) -> None:
        kind = KINDS.get(kind_code)
        if kind is None:
            result.skipped.append(f"{file}, ligne {line} : type « {kind_code} » inconnu.")
            return
        if len(siret) != 14 or not siret.isdigit():
            result.skipped.append(f"{file}, ligne {line} : SIRET « {siret} » invalide.")
            return
        if (siret, kind.value) in seen:
            result.duplicates += 1
            return
        insee = placer.place(fields["postcode"], fields["city"], fields.pop("dep_code"))
        if insee is None:
            result.skipped.append(
                f"{file}, ligne {line} : commune introuvable pour « {fields['postcode']} "
                f"{fields['city']} » ({fields['name']}) : ligne ignorée."
            )
            return
        seen.add((siret, kind.value))
        result.rows.append(
            {
                "siret": siret,
                "kind": kind.value,
                **fields,
                "commune": insee,
                "department": placer.department_of[insee],
            }
        )

    lemarche = directory / LEMARCHE_FILE
    for line, row in _read(lemarche, {"siret", "nom", "type_structure", "code_postal", "ville"}):
        add(
            LEMARCHE_FILE,
            line,
            row["siret"],
            row["type_structure"],
            {
                "name": (row.get("enseigne") or row["nom"])[:250],
                "naf": _naf(row.get("naf", "")),
                "address": row.get("adresse", "")[:300],
                "postcode": row["code_postal"][:5],
                "city": row["ville"][:100],
                "dep_code": row.get("dep_code", ""),
                "lat": _float(row.get("lat", "")),
                "lon": _float(row.get("lon", "")),
                "website": _website(row.get("site_web", "")),
                "source": f"{LEMARCHE_SOURCE} ({row.get('source') or 'ASP'})"[:100],
            },
        )
    asp = directory / ASP_FILE
    for line, row in _read(asp, {"mesure", "siret", "denomination", "code_postal", "commune"}):
        street = " ".join(p for p in (row.get("numero_voie", ""), row.get("voie", "")) if p)
        add(
            ASP_FILE,
            line,
            row["siret"],
            row["mesure"],
            {
                "name": row["denomination"][:250],
                "naf": _naf(row.get("naf", "")),
                "address": street[:300],
                "postcode": row["code_postal"][:5],
                "city": row["commune"][:100],
                "dep_code": row.get("dep_code", ""),
                "lat": None,
                "lon": None,
                "website": "",
                "source": ASP_SOURCE,
            },
        )
    return result


class Command(ReferenceLoaderCommand):
    help = (
        "Charge les partenaires de l'insertion (SIAE, GEIQ, EA) d'Île-de-France depuis "
        "data/siae/. Simulation sans --wet-run ; les lignes impossibles à situer sont "
        "signalées et ignorées."
    )

    def load(self, *, wet_run: bool, **options: Any) -> Iterable[Diff]:
        directory = Path(settings.DATA_DIR) / "siae"
        read = partner_rows(directory, CommunePlacer())
        if self.out is not None:
            for message in read.skipped:
                self.stdout.write(self.style.WARNING(message))
            if read.skipped or read.duplicates:
                self.stdout.write(
                    f"Partenaires : {len(read.skipped)} ligne(s) ignorée(s), "
                    f"{read.duplicates} doublon(s) (SIRET, type) déjà lus."
                )
        diff = sync_with_history(
            Partner,
            ("siret", "kind"),
            read.rows,
            wet_run=wet_run,
            stdout=None,
            references={"commune": "insee", "department": "code"},
            label="partenaires",
            reason="Chargement des partenaires (load_partners)",
        )
        # Remove only what this loader owns and the files no longer hold.
        wanted = {(row["siret"], row["kind"]) for row in read.rows}
        owned = Partner.objects.filter(is_demo=False).filter(
            source__in=[ASP_SOURCE]
        ) | Partner.objects.filter(is_demo=False, source__startswith=LEMARCHE_SOURCE)
        gone = [
            (pk, siret, kind)
            for pk, siret, kind in owned.values_list("pk", "siret", "kind")
            if (siret, kind) not in wanted
        ]
        diff.removed = [f"{siret}|{kind}" for _, siret, kind in gone]
        diff.final_count -= len(gone)
        if wet_run and gone:
            for partner in Partner.objects.filter(pk__in=[pk for pk, _, _ in gone]):
                partner._change_reason = "Retiré des sources (load_partners)"
                partner.delete()
        if self.out is not None:
            self.stdout.write(diff.summary())
        return [diff]
