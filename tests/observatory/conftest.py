"""DECP records and files for the observatory tests."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "decp"
BUYER_93 = "21930066700010"  # a SIRET for a buyer of Seine-Saint-Denis in these tests


def market(
    identifier: str = "2025-001",
    *,
    buyer: str = BUYER_93,
    social: object = ("Clause sociale",),
    amount: object = 1_000_000,
    cpv: str = "45210000-2",
    place: tuple[str, str] = ("93200", "Code postal"),
    notified: str = "2025-03-15",
    modifications: list | None = None,
    **extra: object,
) -> dict:
    """A market in the 2024 format (official schema), trimmed to what the import reads."""
    record: dict = {
        "id": identifier,
        "acheteur": {"id": buyer},
        "nature": "Marché",
        "objet": f"Travaux {identifier}",
        "codeCPV": cpv,
        "procedure": "Appel d'offres ouvert",
        "lieuExecution": {"code": place[0], "typeCode": place[1]},
        "dureeMois": 12,
        "dateNotification": notified,
        "datePublicationDonnees": notified,
        "montant": amount,
        "formePrix": "Forfaitaire",
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "55204599900869"}}],
        "modifications": modifications or [],
        **extra,
    }
    if social is not None:
        record["considerationsSociales"] = {"considerationSociale": list(social)}
    return record


def write_json(
    tmp_path: Path, markets: list, concessions: list | None = None, name: str = "decp.json"
) -> Path:
    path = tmp_path / name
    body = {"marches": {"marche": markets, "contrat-concession": concessions or []}}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def decp_file(tmp_path: Path):  # noqa: ANN201
    def make(markets: list, concessions: list | None = None, name: str = "decp.json") -> Path:
        return write_json(tmp_path, markets, concessions, name)

    return make
