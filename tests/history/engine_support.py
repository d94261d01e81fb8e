"""Helpers of the engine tests (tests/history/test_engine*.py, test_command.py,
test_policies.py), on the follow-up test world (tests/followup/conftest.py): the 93
structure « Structure Saint-Denis » and its facilitator, the 75 structure, the national
referential loaded. `hw` is the fixture: `hw.csv(rows)` builds a file, `hw.preview(...)` and
`hw.run(...)` call the engine as the 93 facilitator unless told otherwise."""

import datetime
import io
from dataclasses import dataclass

import pytest

from clauses.access.actors import Actor
from clauses.history import fields, services
from clauses.history.models import HistoryImport
from tests.followup.conftest import FollowupWorld
from tests.followup.conftest import fw as fw  # noqa: F401 — the fixture
from tests.followup.conftest import world as world  # noqa: F401 — the fixture

D = datetime.date

# The shape of « logiciel A »: one row per person and month.
HEADERS = [
    "Nom",
    "Prénom",
    "Date de naissance",
    "Critères",
    "Date de validation",
    "SIRET acheteur",
    "Acheteur",
    "N° marché",
    "Type de marché",
    "Lot",
    "Entreprise",
    "SIRET entreprise",
    "Modalité",
    "Date de début",
    "Date de fin",
    "Mois",
    "Heures",
]


def row(**overrides: object) -> list[object]:
    values = {
        "Nom": "Dupont",
        "Prénom": "Éloïse",
        "Date de naissance": "12/03/1990",
        "Critères": "BRSA",
        "Date de validation": "01/02/2024",
        "SIRET acheteur": "",
        "Acheteur": "Ville de Saint-Denis (test)",
        "N° marché": "HIST-2024-01",
        "Type de marché": "Travaux",
        "Lot": "1",
        "Entreprise": "Bâtiments Reprise SA",
        "SIRET entreprise": "",
        "Modalité": "CDDI",
        "Date de début": "01/03/2024",
        "Date de fin": "30/06/2024",
        "Mois": "03/2024",
        "Heures": "35",
    }
    values.update({key.replace("_", " "): value for key, value in overrides.items()})
    return [values[h] for h in HEADERS]


def csv_bytes(rows: list[list[object]], headers: list[str] = HEADERS, sep: str = ";") -> bytes:
    lines = [sep.join(headers)] + [sep.join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class HistoryWorld:
    fw: FollowupWorld

    @property
    def structure(self):  # noqa: ANN201
        return self.fw.base.s93

    def actor(self, who: str = "facilitator") -> Actor:
        return self.fw.actor(who)

    def table(self, rows: list[list[object]], headers: list[str] = HEADERS) -> services.Table:
        stream = io.BytesIO(csv_bytes(rows, headers))
        stream.name = "historique.csv"
        return services.read_upload(stream)

    def columns(self, table: services.Table) -> dict[str, str]:
        return {k: v for k, v in fields.suggest_columns(table.headers).items() if v}

    def preview(self, rows: list[list[object]], who: str = "facilitator", **kw: object):
        table = self.table(rows)
        return services.preview(
            actor=self.actor(who),
            structure=kw.pop("structure", self.structure),
            table=table,
            columns=kw.pop("columns", self.columns(table)),
            values=kw.pop("values", {}),
        )

    def run(
        self, rows: list[list[object]], who: str = "facilitator", **kw: object
    ) -> HistoryImport:
        table = self.table(rows)
        return services.run_import(
            actor=self.actor(who),
            structure=kw.pop("structure", self.structure),
            table=table,
            columns=kw.pop("columns", self.columns(table)),
            values=kw.pop("values", {}),
        )


@pytest.fixture
def hw(fw: FollowupWorld) -> HistoryWorld:  # noqa: F811
    return HistoryWorld(fw)
