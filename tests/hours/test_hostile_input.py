"""Hostile spreadsheets, absurd numbers and formula names in the hours import, its
template and its API (#11.2, #11.3, #11.8): refused in French by line and column, never a
500, never a live formula in what we write."""

import csv
import io
import json
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from clauses.access.enums import TokenScope
from clauses.hours import imports
from clauses.hours.models import HourDeclaration
from tests.access.factories import make_api_token
from tests.hours.conftest import TODAY, HoursWorld

pytestmark = pytest.mark.django_db
HEADER = ["N° de mission", "Mois", "Heures"]


def _xlsx(rows, *, declare: str | None = None, far: str | None = None) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and declare:
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>', f'<dimension ref="{declare}"/>'.encode(), data
                )
            if info.filename == "xl/worksheets/sheet1.xml" and far:
                row = int(re.sub(r"\D", "", far))
                cell = f'<row r="{row}"><c r="{far}" t="inlineStr"><is><t>x</t></is></c></row>'
                data = data.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
            target.writestr(info.filename, data)
    return out.getvalue()


def run(hw: HoursWorld, raw: bytes, name: str = "heures.xlsx"):
    return imports.import_declarations(actor=hw.actor("company"), file=raw, name=name, today=TODAY)


def test_the_5_kb_file_declaring_a_million_rows_is_refused_by_line(hw, monkeypatch):
    """A sheet declaring A1:AX1048576 with one far cell cost 13 s and 500 MB: now the two
    rows it holds are read, and the far one is refused at its own line (its cell is in the
    hours column: a row with no value to declare would be skipped as blank, #12.5)."""
    raw = _xlsx([HEADER, [hw.assignment.pk, "03/2026", 10]], declare="A1:AX1048576", far="C1048576")
    assert len(raw) < 6_000
    read = []
    real_read_table = imports.read_table
    monkeypatch.setattr(
        imports, "read_table", lambda *a, **k: read.extend(real_read_table(*a, **k)) or read
    )
    outcome = run(hw, raw)
    assert len(read) == 3  # header, the real row, the far cell: nothing padded
    assert [(p.line, p.column) for p in outcome.problems] == [(1_048_576, "Heures")]
    assert not HourDeclaration.objects.exists()


def test_more_rows_than_the_cap_are_refused_without_reading_on(hw, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = [HEADER] + [[hw.assignment.pk, "03/2026", 1]] * 5
    outcome = run(hw, _xlsx(rows))
    assert [str(p) for p in outcome.problems] == ["ligne 1 : 3 lignes au plus par import."]


def test_a_zip_bomb_is_refused_in_french(hw):
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", b"\0" * 65 * 1024 * 1024)
    outcome = run(hw, buffer.getvalue())
    assert [str(p) for p in outcome.problems] == [
        "ligne 1 : le classeur décompressé dépasse 64 Mo."
    ]


def test_csv_in_windows_1252_reads_and_an_unknown_encoding_is_refused(hw):
    good = f"N° de mission;Mois;Heures\n{hw.assignment.pk};03/2026;10\n".encode("cp1252")
    assert run(hw, good, "heures.csv").created == 1
    outcome = run(hw, b"N\x81 de mission;Mois\n", "heures.csv")
    assert "encodage du fichier non reconnu" in outcome.problems[0].message


@pytest.mark.parametrize("hours", [1e30, "1e30", "inf", "NaN", 10**40])
def test_absurd_hours_in_a_file_are_named_by_line_and_column(hw, hours):
    outcome = run(hw, _xlsx([HEADER, [hw.assignment.pk, "03/2026", hours]]))
    assert [(p.line, p.column) for p in outcome.problems] == [(2, "Heures")]
    assert "n'est pas un nombre d'heures" in outcome.problems[0].message


@pytest.mark.parametrize("hours", [1e30, "1e30", "Infinity", -1e30, 10**40])
def test_absurd_hours_in_the_api_are_a_french_422(client, hw, hours):
    _, raw = make_api_token(hw.company, role="company_contact", scope=TokenScope.READ_WRITE)
    body = {"declarations": [{"assignment": hw.assignment.pk, "month": "2026-03", "hours": 0}]}
    text = json.dumps(body).replace('"hours": 0', f'"hours": {json.dumps(hours)}')
    response = client.post(
        "/api/v1/contractor/declarations",
        text,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["item"], e["field"]) for e in errors] == [(1, "hours")]
    assert "nombre attendu" in errors[0]["message"]
    assert not HourDeclaration.objects.exists()


def test_the_api_schema_bounds_the_hours():
    from clauses.hours.api import DeclarationIn

    hours = json.dumps(DeclarationIn.model_json_schema()["properties"]["hours"])
    assert '"maximum": 10000' in hours.replace(".0", ""), hours


def test_a_participant_named_like_a_formula_stays_text_in_the_template(hw):
    """#11.3: the template listed the participant's name raw — "=HYPERLINK(…)" became a
    live formula in modele.xlsx and a leading "=" in the CSV."""
    hw.participant.first_name, hw.participant.last_name = '=HYPERLINK("http://x.example")', "+1"
    hw.participant.save()
    name = str(hw.participant)
    assert name.startswith(("=", "+"))
    sheet = load_workbook(io.BytesIO(imports.template_xlsx(hw.actor("company"), today=TODAY)))
    cells = [c for row in sheet.worksheets[0].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + name in [c.value for c in cells]
    text = imports.template_csv(hw.actor("company"), today=TODAY).decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(text), delimiter=";")][1:]
    assert names == ["'" + name]


def test_an_upload_above_5_mb_is_refused_before_it_is_read(client, hw, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clauses.accounts.enums import Role
    from tests.access.helpers import login
    from tests.accounts.factories import MembershipFactory

    login(client, MembershipFactory(organisation=hw.company, role=Role.COMPANY_CONTACT))
    monkeypatch.setattr(
        imports, "import_declarations", lambda **kwargs: pytest.fail("the file was read")
    )
    big = SimpleUploadedFile("h.csv", b"N\xc2\xb0 de mission;Mois\n" + b"1;03/2026\n" * 600_000)
    assert big.size > 5 * 1024 * 1024
    response = client.post(reverse("hours:upload"), {"file": big})
    assert response.status_code == 422
    assert "Le fichier dépasse 5 Mo." in response.content.decode()
