"""clauses.core.spreadsheets: hostile uploads are refused politely and cheaply (#11.2),
every cell the project writes is neutralised (#11.3).

No wall clock: the cost of a file is shown by what the reader yields (at most the header
and the cap of rows), and by openpyxl never being opened when the zip is refused."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from clauses.core import spreadsheets
from clauses.core.spreadsheets import (
    Formula,
    SpreadsheetError,
    csv_bytes,
    iter_table,
    neutralise,
    new_workbook,
    read_table,
    workbook_bytes,
)


def _xlsx(rows, *, sheet_xml=None, extra=None):
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
            if info.filename == "xl/worksheets/sheet1.xml" and sheet_xml is not None:
                data = sheet_xml(data)
            target.writestr(info.filename, data)
        for filename, data in (extra or {}).items():
            target.writestr(filename, data)
    return out.getvalue()


def _declare(dimension):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', dimension, xml)


def test_the_5_kb_file_declaring_a_million_rows_is_read_by_its_content():
    """The observation of #11.2: a sheet declaring A1:AX1048576 with one far cell. openpyxl
    padded every row to 50 cells up to the millionth (13 s, 500 MB); the reader yields the
    two rows the file holds, with their real line numbers."""
    raw = _xlsx(
        [["Mission", "Mois", "Heures"]],
        sheet_xml=lambda xml: _declare(b'<dimension ref="A1:AX1048576"/>')(xml).replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="AX1048576" t="inlineStr"><is><t>loin'
            b"</t></is></c></row></sheetData>",
        ),
    )
    assert len(raw) < 6_000
    sheet = load_workbook(io.BytesIO(raw), read_only=True).worksheets[0]
    assert (sheet.max_row, sheet.max_column) == (1_048_576, 50)  # what the file declares
    rows = list(iter_table(raw))
    assert [line for line, _ in rows] == [1, 1_048_576]
    assert rows[0][1] == ["Mission", "Mois", "Heures"]
    assert rows[1][1][49] == "loin" and len(rows[1][1]) == 50


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_reading_stops_at_the_cap_plus_one_row(kind):
    rows = [["Mission", "Heures"]] + [[n, 10] for n in range(30)]
    if kind == "xlsx":
        raw = _xlsx(rows)
    else:
        raw = "\n".join(f"{a};{b}" for a, b in rows).encode()
    yielded = []
    with pytest.raises(SpreadsheetError, match="^20 lignes au plus par import.$"):
        for row in iter_table(raw, max_rows=20):
            yielded.append(row)
    assert len(yielded) == 21  # the header and the 20 rows allowed, never the rest
    assert len(read_table(raw, max_rows=30)) == 31


def test_empty_rows_are_left_out_and_lines_are_the_file_s():
    raw = b"Mission;Heures\n\n;\n12;10\n"
    assert read_table(raw) == [(1, ["Mission", "Heures"]), (4, ["12", "10"])]
    quoted = b'Mission;Note\n12;"deux\nlignes"\n13;x\n'
    assert [line for line, _ in read_table(quoted)] == [1, 2, 4]


def test_columns_beyond_the_cap_are_refused():
    with pytest.raises(SpreadsheetError, match="au-delà de la colonne 5"):
        read_table(_xlsx([["a", None, None, None, None, None, "far"]]), max_columns=5)
    with pytest.raises(SpreadsheetError, match="ligne 2 : des valeurs au-delà de la colonne 3"):
        read_table(b"a;b\n1;2;3;4\n", max_columns=3)
    assert read_table(b"a;b;;;;;\n", max_columns=3) == [(1, ["a", "b", ""])]


class _Opened(Exception):
    pass


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    import openpyxl

    def refuse(*args, **kwargs):
        raise _Opened

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(openpyxl_never_opens):
    raw = _xlsx([["a"]], extra={"xl/media/bomb.bin": b"\0" * (spreadsheets.MAX_UNPACKED_BYTES)})
    assert len(raw) < 200_000
    with pytest.raises(SpreadsheetError, match="décompressé dépasse 64 Mo"):
        read_table(raw)


def test_too_many_members_are_refused(openpyxl_never_opens):
    extra = {f"xl/media/{n}.bin": b"" for n in range(spreadsheets.MAX_MEMBERS)}
    with pytest.raises(SpreadsheetError, match="trop d'éléments"):
        read_table(_xlsx([["a"]], extra=extra))


def test_xml_entities_are_refused(openpyxl_never_opens):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    raw = _xlsx([["a"]], sheet_xml=lambda xml: laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", xml))
    with pytest.raises(SpreadsheetError, match="DOCTYPE ou entités"):
        read_table(raw)


def test_deeply_nested_or_broken_xml_is_refused_politely():
    deep = b"<x>" * 100_000 + b"</x>" * 100_000
    nested = _xlsx(
        [["a"]], sheet_xml=lambda xml: xml.replace(b"</sheetData>", deep + b"</sheetData>")
    )
    broken = _xlsx([["a"]], sheet_xml=lambda xml: xml[: len(xml) // 2])
    for raw in (nested, broken, b"PK\x03\x04 not a zip"):
        try:
            read_table(raw)
        except SpreadsheetError as exc:
            assert "classeur" in str(exc)


def test_csv_encodings():
    assert read_table("Mission;Prénom\n".encode("utf-8-sig"))[0][1] == ["Mission", "Prénom"]
    assert read_table("Mission;Prénom\n".encode("cp1252"))[0][1] == ["Mission", "Prénom"]
    assert read_table(b"a,b\n1,2\n")[1][1] == ["1", "2"]
    assert read_table(b"a\tb\n1\t2\n")[1][1] == ["1", "2"]
    with pytest.raises(SpreadsheetError, match="encodage du fichier non reconnu"):
        read_table(b"Mission;\x81\x8d\n")


def test_malformed_csv_is_refused_in_french():
    raw = b'a;b\n1;"' + b"x" * 200_000 + b'"\n'  # a field beyond the csv module's limit
    with pytest.raises(SpreadsheetError, match="ligne 2 : le fichier CSV est mal formé"):
        read_table(raw)


def test_other_formats_and_sizes():
    with pytest.raises(SpreadsheetError, match="format non pris en charge"):
        read_table(b"a;b", name="x.ods")
    with pytest.raises(SpreadsheetError, match="dépasse 1 Mo"):
        read_table(b"a" * (1024 * 1024 + 1), max_bytes=1024 * 1024)


def test_formulas_come_back_as_formulas_in_both_formats():
    workbook = Workbook()
    workbook.active.append(["=1+1", "=SUM(A1)", "@x", "-x", "-5", "+33 6 12", "texte", 3])
    workbook.active["A1"].data_type = "s"  # a text cell typed as "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    csv_line = b"=1+1;=SUM(A1);@x;-x;-5;+33 6 12;texte;3\n"
    for raw in (buffer.getvalue(), csv_line):
        values = read_table(raw)[0][1]
        assert [isinstance(v, Formula) for v in values] == [True] * 4 + [False] * 4
        assert values[4:7] == ["-5", "+33 6 12", "texte"] or values[4] == -5


def test_neutralise():
    for text in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("ok") == "ok" and neutralise(-3) == -3 and neutralise(None) is None


def test_written_csv_and_xlsx_are_neutralised():
    text = csv_bytes([["Nom", "Heures"], ['=HYPERLINK("http://x")', -3]]).decode("utf-8-sig")
    assert text == 'Nom;Heures\r\n"\'=HYPERLINK(""http://x"")";-3\r\n'
    workbook = new_workbook()
    workbook.active.append(['=HYPERLINK("http://x")', "@x", 5])
    workbook.active["A2"] = "=1+1"
    workbook.active["A2"].number_format = "@"
    sheet = load_workbook(io.BytesIO(workbook_bytes(workbook))).active
    assert [c.value for c in sheet[1]] == ['\'=HYPERLINK("http://x")', "'@x", 5]
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
