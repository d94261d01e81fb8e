"""Reading a programme as buyers keep it: header mapping, validation by line and column,
all or nothing, hostile files."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clauses.programme import imports, services
from clauses.programme.models import Programme, ProgrammeLine
from tests.programme.helpers import HEADERS, ROWS, csv_bytes, xlsx


def test_mapping_is_suggested_from_french_headers_accents_and_case_ignored():
    mapping = imports.suggest_mapping(HEADERS)
    assert mapping == {
        "title": 0,
        "cpv": 1,
        "category": 2,
        "place": 3,
        "amount_ht": 4,
        "duration_months": 5,
        "launch_date": 6,
        "kind": 7,
    }
    other = imports.suggest_mapping(["INTITULE", "MONTANT HT", "DUREE EN MOIS", "COMMUNE"])
    assert other == {"title": 0, "amount_ht": 1, "duration_months": 2, "place": 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 200 000,50 €", Decimal("1200000.50")),
        ("1.200.000,00", Decimal("1200000.00")),
        ("150 k€", Decimal("150000.00")),
        ("95000", Decimal("95000.00")),
        (12.5, Decimal("12.50")),
    ],
)
def test_amounts_as_buyers_write_them(text, expected):
    assert imports.parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/10/2026", date(2026, 10, 15)),
        ("2026-10-15", date(2026, 10, 15)),
        ("09/2026", date(2026, 9, 1)),
        ("T3 2026", date(2026, 7, 1)),
        ("3e trimestre 2026", date(2026, 7, 1)),
        ("2027", date(2027, 1, 1)),
    ],
)
def test_dates_as_buyers_plan_them(text, expected):
    assert imports.parse_date(text) == expected


def test_durations():
    assert imports.parse_duration("24") == 24
    assert imports.parse_duration("2 ans") == 24
    assert imports.parse_duration("36 mois") == 36
    with pytest.raises(ValueError):
        imports.parse_duration("0")


@pytest.mark.django_db
def test_xlsx_with_a_title_row_is_read_and_validated():
    sheet = imports.read(xlsx(), "programme.xlsx")
    assert sheet.headers == HEADERS
    assert sheet.header_line == 2
    result = imports.validate(sheet, imports.suggest_mapping(sheet.headers))
    assert result.ok, [str(p) for p in result.problems]
    cleaning, gym, green, office = result.rows
    assert cleaning.number == 3 and cleaning.kind == "services"
    assert cleaning.commune.insee == "93066" and cleaning.department.code == "93"
    assert cleaning.launch_date == date(2026, 7, 1)
    assert gym.commune.insee == "93066"
    assert green.kind == "services"  # no CPV, no kind: the category says green spaces
    assert office.amount_ht == Decimal("25000.00")


@pytest.mark.django_db
def test_errors_by_line_and_column_and_nothing_kept():
    rows = [list(r) for r in ROWS]
    rows[1][4] = "beaucoup"
    rows[2][3] = "Atlantide"
    rows[3][1] = "1234"
    sheet = imports.read(csv_bytes(rows), "programme.csv")
    result = imports.validate(sheet, imports.suggest_mapping(sheet.headers))
    assert not result.ok
    assert result.rows == []
    messages = [str(p) for p in result.problems]
    assert any(m.startswith("Ligne 3, colonne « Montant estimé HT (€) »") for m in messages)
    assert any(m.startswith("Ligne 4, colonne « Lieu d'exécution »") for m in messages)
    assert any(m.startswith("Ligne 5, colonne « CPV »") for m in messages)


@pytest.mark.django_db
def test_a_line_without_kind_nor_cpv_is_refused_unless_its_category_says_works():
    rows = [["Entretien", "", "Divers", "93", "1000", "", "", ""]]
    sheet = imports.read(csv_bytes(rows), "p.csv")
    result = imports.validate(sheet, imports.suggest_mapping(sheet.headers))
    assert "type de marché inconnu" in str(result.problems[0])
    rows = [["Travaux", "", "Rénovation de bâtiments", "93", "1000", "", "", ""]]
    sheet = imports.read(csv_bytes(rows), "p.csv")
    assert imports.validate(sheet, imports.suggest_mapping(sheet.headers)).rows[0].kind == "works"


def test_hostile_and_broken_files_are_french_errors():
    with pytest.raises(ValidationError, match="vide"):
        imports.read(b"", "p.csv")
    with pytest.raises(ValidationError, match="2 Mo"):
        imports.read(b"a;b\n" * 600_000, "p.csv")
    with pytest.raises(ValidationError, match="XLSX"):
        imports.read(b"PK\x03\x04garbage", "p.xlsx")
    with pytest.raises(ValidationError, match="format non pris en charge"):
        imports.read(b"\xd0\xcf\x11\xe0\x00\x00", "p.xls")
    # A zip bomb: a small archive that inflates to far more than allowed.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (80 * 1024 * 1024))
    with pytest.raises(ValidationError, match="décompressé"):
        imports.read(buffer.getvalue(), "p.xlsx")


def test_declared_dimensions_are_not_trusted_and_rows_are_capped():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Intitulé", "Montant"])
    sheet.cell(row=1_000_000, column=16_000, value="loin")  # a huge declared dimension
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationError, match="colonne"):
        imports.read(buffer.getvalue(), "p.xlsx")
    many = b"Intitule;Montant\n" + b"x;1\n" * (imports.MAX_ROWS + 10)
    with pytest.raises(ValidationError, match="lignes"):
        imports.read(many, "p.csv")


@pytest.mark.django_db
def test_formulas_are_never_evaluated_but_refused_by_line_and_column():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Intitulé", "Montant", "Type"])
    sheet.append(["Ligne", "=1+1", "Travaux"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = imports.read(buffer.getvalue(), "p.xlsx")
    result = imports.validate(data, imports.suggest_mapping(data.headers))
    assert [str(p) for p in result.problems] == [
        "Ligne 2, colonne « Montant » : formule refusée : saisissez la valeur elle-même."
    ]


@pytest.mark.django_db
def test_import_writes_all_lines_analysed_and_audited(world):
    sheet = imports.read(xlsx(), "programme.xlsx")
    programme, problems = services.import_programme(
        actor=world.actor("buyer"),
        buyer=world.buyer,
        title="Programmation 2026-2027",
        file_name="programme.xlsx",
        sheet=sheet,
        mapping=imports.suggest_mapping(sheet.headers),
    )
    assert problems == []
    lines = list(programme.lines.order_by("number"))
    assert len(lines) == 4
    assert all(line.recommendations for line in lines)
    assert lines[1].hours == 1000  # 1,200,000 × 50 % ÷ 30 × 5 %
    assert lines[2].family == "espaces_verts"
    from clauses.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(object_id=str(programme.pk), action="create").exists()


@pytest.mark.django_db
def test_import_with_one_bad_row_writes_nothing(world):
    rows = [list(r) for r in ROWS]
    rows[0][5] = "-3"
    sheet = imports.read(csv_bytes(rows), "programme.csv")
    programme, problems = services.import_programme(
        actor=world.actor("buyer"),
        buyer=world.buyer,
        title="",
        file_name="programme.csv",
        sheet=sheet,
        mapping=imports.suggest_mapping(sheet.headers),
    )
    assert programme is None
    assert "Ligne 2" in str(problems[0])
    assert not Programme.objects.exists() and not ProgrammeLine.objects.exists()
