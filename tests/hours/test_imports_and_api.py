"""Spreadsheet import (each bad input, all or nothing, idempotence) and the token API."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from clauses.access.enums import TokenScope
from clauses.hours import imports
from clauses.hours.models import HourDeclaration, ImportBatch
from tests.access.factories import make_api_token
from tests.hours.conftest import TODAY, HoursWorld

pytestmark = pytest.mark.django_db
HEADER = "N° de mission;Participant·e;Mois;Heures;Montant sous-traité HT;Formation\n"


def csv_file(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def run(hw: HoursWorld, raw: bytes, who: str = "company", name: str = "heures.csv"):
    return imports.import_declarations(actor=hw.actor(who), file=raw, name=name, today=TODAY)


def test_good_file_creates_then_same_file_changes_nothing(hw):
    raw = csv_file(
        f"{hw.assignment.pk};Alex Martin;03/2026;120;;", f"{hw.assignment.pk};;04/2026;80,5;;oui"
    )
    outcome = run(hw, raw)
    assert outcome.ok and outcome.created == 2
    assert HourDeclaration.objects.get(month=date(2026, 4, 1)).declared_hours == Decimal("80.5")
    assert HourDeclaration.objects.get(month=date(2026, 4, 1)).is_training
    again = run(hw, raw)
    assert again.already_imported is not None and again.created == 0
    assert ImportBatch.objects.count() == 1
    # Another file with the same values: unchanged by (assignment, month).
    other = run(hw, raw + b"\n")
    assert (other.created, other.updated, other.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("{a};;13/2026;10;;", "Mois", "n'est pas un mois"),
        ("{a};;08/2026;10;;", "Mois", "pas encore commencé"),
        ("{a};;03/2026;-5;;", "Heures", "négatif"),
        ("{a};;03/2026;744;;", "Heures", "maximum légal"),
        ("{a};;03/2026;beaucoup;;", "Heures", "n'est pas un nombre"),
        ("999999;;03/2026;10;;", "N° de mission", "inconnue"),
        ("{a};Quelqu'un d'autre;03/2026;10;;", "Participant·e", "n'est pas la personne"),
        ("{a};;03/2026;=10*20;;", "Heures", "formule"),
        ("{a};;03/2026;10;5000;", "Montant sous-traité HT", "pas les deux"),
    ],
)
def test_each_bad_input_is_named_by_line_and_column(hw, row, column, fragment):
    raw = csv_file(f"{hw.assignment.pk};;02/2026;10;;", row.format(a=hw.assignment.pk))
    outcome = run(hw, raw)
    assert not outcome.ok
    assert any(
        p.line == 3 and p.column == column and fragment in p.message for p in outcome.problems
    ), [str(p) for p in outcome.problems]
    assert HourDeclaration.objects.count() == 0  # all or nothing: line 2 was fine


def test_duplicate_rows_and_other_companys_assignment(hw):
    _, lot, _ = hw.new_market(company=hw.other_company)
    foreign = hw.assign(hw.new_participant("Eli Autre"), lot, company=hw.other_company)
    raw = csv_file(
        f"{hw.assignment.pk};;03/2026;10;;",
        f"{hw.assignment.pk};;03/2026;12;;",
        f"{foreign.pk};;03/2026;12;;",
    )
    messages = [str(p) for p in run(hw, raw).problems]
    assert any("ligne 3" in m and "déjà à la ligne 2" in m for m in messages)
    assert any("ligne 4" in m and "inconnue de votre entreprise" in m for m in messages)
    assert not HourDeclaration.objects.exists()


def test_same_person_twice_in_a_file_above_the_ceiling(hw):
    _, lot2, _ = hw.new_market()
    second = hw.assign(hw.participant, lot2)
    raw = csv_file(f"{hw.assignment.pk};;03/2026;150;;", f"{second.pk};;03/2026;100;;")
    messages = [str(p) for p in run(hw, raw).problems]
    assert any("lignes 2, 3" in m for m in messages), messages


def test_xlsx_formula_cell_refused_and_template_round_trip(hw):
    template = imports.template_xlsx(hw.actor("company"), today=TODAY)
    sheet = load_workbook(io.BytesIO(template)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["N° de mission", "Participant·e", "Mois"]
    assert sheet.cell(2, 1).value == str(hw.assignment.pk)
    workbook = Workbook()
    ws = workbook.active
    ws.append(["N° de mission", "Mois", "Heures"])
    ws.append([hw.assignment.pk, "03/2026", "=100+50"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = run(hw, buffer.getvalue(), name="heures.xlsx")
    assert [(p.line, p.column) for p in outcome.problems] == [(2, "Heures")]
    ws["C2"] = 151.67
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(hw, buffer.getvalue(), name="heures.xlsx").created == 1


def test_unknown_column_and_missing_required(hw):
    outcome = run(hw, b"Mission;Heures\n1;2\n")
    assert outcome.problems and all(p.line == 1 for p in outcome.problems)


# -- API ---------------------------------------------------------------------------------


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_contractor_clauses_and_declarations(client, hw):
    _, raw = make_api_token(hw.company, role="company_contact", scope=TokenScope.READ_WRITE)
    response = client.get("/api/v1/contractor/clauses", **bearer(raw))
    assert response.status_code == 200
    assert [c["clause_id"] for c in response.json()] == [hw.clause.pk]
    body = {"declarations": [{"assignment": hw.assignment.pk, "month": "2026-03", "hours": "120"}]}
    response = client.post(
        "/api/v1/contractor/declarations",
        json.dumps(body),
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    assert HourDeclaration.objects.get().source == "api"


def test_api_422_per_item_and_nothing_written(client, hw):
    _, raw = make_api_token(hw.company, role="company_contact", scope=TokenScope.READ_WRITE)
    body = {
        "declarations": [
            {"assignment": hw.assignment.pk, "month": "2026-02", "hours": 10},
            {"assignment": hw.assignment.pk, "month": "2026-13", "hours": 10},
            {"assignment": hw.assignment.pk, "month": "2026-03", "hours": 500},
        ]
    }
    response = client.post(
        "/api/v1/contractor/declarations",
        json.dumps(body),
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["item"], e["field"]) for e in errors] == [(2, "month"), (3, "hours")]
    assert all("déclaration" in e["message"] for e in errors)
    assert not HourDeclaration.objects.exists()


def test_api_other_company_or_territory_gets_404(client, hw):
    _, other = make_api_token(hw.other_company, role="company_contact", scope=TokenScope.READ_WRITE)
    assert (
        client.get(f"/api/v1/clauses/{hw.clause.pk}/progress", **bearer(other)).status_code == 404
    )
    assert client.get("/api/v1/contractor/clauses", **bearer(other)).json() == []
    body = {"declarations": [{"assignment": hw.assignment.pk, "month": "2026-03", "hours": 1}]}
    response = client.post(
        "/api/v1/contractor/declarations",
        json.dumps(body),
        content_type="application/json",
        **bearer(other),
    )
    assert response.status_code == 422
    from tests.markets.conftest import organisation_of

    _, paris = make_api_token(organisation_of(hw.base.s75), role="facilitator")
    assert (
        client.get(f"/api/v1/clauses/{hw.clause.pk}/progress", **bearer(paris)).status_code == 404
    )
    _, ours = make_api_token(organisation_of(hw.base.s93), role="facilitator")
    response = client.get(f"/api/v1/clauses/{hw.clause.pk}/progress", **bearer(ours))
    assert response.status_code == 200
    assert response.json()["target_hours"] == 1000


def test_api_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/contractor/clauses", "/api/v1/contractor/declarations"} <= set(paths)
    assert "/api/v1/clauses/{clause_id}/progress" in paths
