"""Import of a buyer's markets from CSV and XLSX: every row checked, errors by line and
column in French, all or nothing, formulas refused, re-import changes nothing."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from clauses.markets import imports
from clauses.markets.models import LotContractor, Market, MarketEvent
from tests.accounts.factories import valid_siret

HEADER = [c.header for c in imports.COLUMNS]


def row(**values: str) -> list[str]:
    base = dict(zip([c.key for c in imports.COLUMNS], imports.EXAMPLE_ROW, strict=True))
    base.update(values)
    return [base[c.key] for c in imports.COLUMNS]


def csv_file(*rows: list[str], delimiter: str = ";") -> bytes:
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_file(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_good_csv_creates_markets_and_reimport_changes_nothing(world):
    siret = valid_siret()
    data = csv_file(
        row(),
        row(
            reference="2026-SV-002",
            subject="Nettoyage des écoles",
            kind="Services",
            cpv="90911200-8",
            estimated_amount_ht="300 000,50",
            status="Attribué",
            communes="93066, 93048",
            holder_siret=siret,
            holder_name="Propreté Nouvelle",
        ),
    )
    actor = world.actor("buyer")
    report = imports.import_markets(buyer=world.buyer, file=data, actor=actor, name="m.csv")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    market = Market.objects.get(buyer=world.buyer, reference="2026-SV-002")
    assert market.kind == "services" and market.status == "awarded"
    assert str(market.estimated_amount_ht) == "300000.50"
    assert sorted(market.execution_communes.values_list("insee", flat=True)) == ["93048", "93066"]
    holder = LotContractor.objects.get(lot__market=market)
    assert (holder.organisation.siret, holder.role) == (siret, "holder")
    events = MarketEvent.objects.count()

    again = imports.import_markets(buyer=world.buyer, file=data, actor=actor, name="m.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert MarketEvent.objects.count() == events
    assert Market.objects.filter(buyer=world.buyer).count() == 2

    changed = csv_file(row(subject="Réhabilitation du groupe scolaire Jaurès, phase 2"))
    third = imports.import_markets(buyer=world.buyer, file=changed, actor=actor, name="m.csv")
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)


def test_every_bad_cell_is_listed_by_line_and_column_and_nothing_is_written(world):
    data = csv_file(
        row(reference="OK-1"),
        row(reference="BAD-1", holder_siret="12345678901234", holder_name="X"),
        row(reference="BAD-2", cpv="99999999"),
        row(reference="BAD-3", communes="93066,00000"),
        row(reference="BAD-4", estimated_amount_ht="beaucoup"),
        row(reference="BAD-5", planned_publication_date="31/02/2026"),
        row(reference="OK-1"),
        row(reference="BAD-7", estimated_amount_ht="=1+1"),
        row(reference="BAD-8", subject=""),
        row(reference="BAD-9", estimated_amount_ht="-100"),
        row(reference="BAD-10", kind="Concession"),
    )
    report = imports.import_markets(
        buyer=world.buyer, file=data, actor=world.actor("buyer"), name="m.csv"
    )
    assert not report.ok
    assert Market.objects.count() == 0
    found = {(p.line, p.column) for p in report.errors}
    assert found == {
        (3, "SIRET du titulaire"),
        (4, "Code CPV"),
        (5, "Communes d'exécution"),
        (6, "Montant estimé HT"),
        (7, "Publication prévue"),
        (8, "Référence"),
        (9, "Montant estimé HT"),
        (10, "Objet"),
        (11, "Montant estimé HT"),
        (12, "Type de marché"),
    }
    messages = {(p.line): str(p) for p in report.errors}
    assert "clé de contrôle" in messages[3]
    assert "99999999" in messages[4]
    assert "00000" in messages[5]
    assert "n'est pas un montant" in messages[6]
    assert "n'est pas une date" in messages[7]
    assert "en double (déjà à la ligne 2)" in messages[8]
    assert "formule refusée" in messages[9]
    assert messages[3].startswith("ligne 3, colonne « SIRET du titulaire » :")
    assert "Aucun marché" in report.summary()


def test_unknown_and_missing_columns(world):
    data = "Objet;Colonne inventée\nTravaux;x\n".encode()
    report = imports.import_markets(
        buyer=world.buyer, file=data, actor=world.actor("buyer"), name="m.csv"
    )
    assert {(p.column, p.message) for p in report.errors} == {
        ("Colonne inventée", "colonne inconnue (voir le modèle)."),
        ("Référence", "colonne obligatoire absente."),
    }


def test_xlsx_formulas_are_refused_and_values_accepted(world):
    good = xlsx_file(row(), row(reference="X-2", estimated_amount_ht=125000.5))
    report = imports.import_markets(
        buyer=world.buyer, file=good, actor=world.actor("buyer"), name="m.xlsx"
    )
    assert report.ok and report.created == 2
    assert str(Market.objects.get(reference="X-2").estimated_amount_ht) == "125000.50"
    bad = xlsx_file(row(reference="X-3", estimated_amount_ht="=SUM(1,2)"))
    report = imports.import_markets(
        buyer=world.buyer, file=bad, actor=world.actor("buyer"), name="m.xlsx"
    )
    assert [(p.line, p.column) for p in report.errors] == [(2, "Montant estimé HT")]
    assert "formule" in report.errors[0].message
    assert not Market.objects.filter(reference="X-3").exists()


def test_a_file_that_is_not_a_spreadsheet(world):
    report = imports.import_markets(
        buyer=world.buyer, file=b"PK\x03\x04garbage", actor=world.actor("buyer"), name="m.xlsx"
    )
    assert "XLSX" in report.errors[0].message
    report = imports.import_markets(
        buyer=world.buyer, file=b"", actor=world.actor("buyer"), name="m.csv"
    )
    assert "vide" in report.errors[0].message


def test_only_who_may_create_markets_for_the_buyer_imports(world):
    for who in ("buyer75", "company", "facilitator75"):
        with pytest.raises(PermissionDenied):
            imports.import_markets(
                buyer=world.buyer, file=csv_file(row()), actor=world.actor(who), name="m.csv"
            )


def test_the_templates_read_back(world):
    sheet = load_workbook(io.BytesIO(imports.template_xlsx())).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    report = imports.import_markets(
        buyer=world.buyer, file=imports.template_xlsx(), actor=world.actor("buyer"), name="t.xlsx"
    )
    assert report.ok and report.created == 1
    report = imports.import_markets(
        buyer=world.buyer, file=imports.template_csv(), actor=world.actor("buyer"), name="t.csv"
    )
    assert report.ok and report.unchanged == 1


def test_comma_separated_csv_in_windows_encoding(world):
    lines = [",".join(HEADER), ",".join(row(subject="Rénovation énergétique", communes="93066"))]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    report = imports.import_markets(
        buyer=world.buyer, file=data, actor=world.actor("buyer"), name="m.csv"
    )
    assert report.ok, report.errors
    assert Market.objects.get().subject == "Rénovation énergétique"
