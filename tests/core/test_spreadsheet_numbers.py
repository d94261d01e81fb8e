"""Numbers in the spreadsheets the project writes (#12.12): number cells with formats a
French Excel or LibreOffice shows as « 33 722 », « 12,5 », « 45 % », « 1 200 000,00 € »;
CSV numbers without thousands separator, with a decimal comma when the separator is `;`;
sheet names cut at a word boundary and unique. The XLSX is opened back with openpyxl."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from clauses.core import spreadsheets as s


def _sheet(rows):  # noqa: ANN001, ANN202
    workbook = s.new_workbook()
    for row in rows:
        s.append_row(workbook.active, row)
    return load_workbook(io.BytesIO(s.workbook_bytes(workbook))).active


def test_a_number_is_its_text_and_carries_its_value_and_format():
    hours = s.quantity(Decimal("33722.0"), "33 722 h")
    assert hours == "33 722 h" and str(hours) == "33 722 h"
    assert hours.value == 33722.0 and hours.number_format == s.INTEGER
    assert s.quantity(12.54).value == 12.5 and s.quantity(12.54).number_format == s.DECIMAL
    assert s.quantity(None) == "—" and s.quantity(None).value is None
    assert s.share(0.45).number_format == s.PERCENT and s.share(0.45) == "45 %"
    assert s.share(0.457).number_format == s.PERCENT_DECIMAL and s.share(0.457) == "45,7 %"
    assert s.share(0.29).number_format == s.PERCENT  # 28.999… is 29 %
    assert s.amount(1_200_000).number_format == s.AMOUNT
    assert s.count(1200, "1 200").value == 1200


def test_xlsx_cells_are_numbers_with_their_formats():
    sheet = _sheet(
        [
            ["Heures", s.quantity(33722, "33 722 h")],
            ["Moyenne", s.quantity(12.5, "12,5 h")],
            ["Part", s.share(0.45, "45 %")],
            ["Montant", s.amount(Decimal("1200000"))],
            ["Contrats", s.count(1200, "1 200")],
            ["Brut entier", 7],
            ["Brut décimal", Decimal("2.5")],
            ["Négatif", s.quantity(-3, "-3 h")],
            ["Inconnu", s.share(None, "—")],
            ["=1+1", True],
        ]
    )
    cells = {row[0].value: row[1] for row in sheet.iter_rows()}
    expected = {
        "Heures": (33722, s.INTEGER),
        "Moyenne": (12.5, s.DECIMAL),
        "Part": (0.45, s.PERCENT),
        "Montant": (1_200_000, s.AMOUNT),
        "Contrats": (1200, s.INTEGER),
        "Brut entier": (7, s.INTEGER),
        "Brut décimal": (2.5, s.DECIMAL),
        "Négatif": (-3, s.INTEGER),
    }
    for label, (value, number_format) in expected.items():
        cell = cells[label]
        assert isinstance(cell.value, int | float) and not isinstance(cell.value, str), label
        assert cell.value == value and cell.number_format == number_format, label
    assert cells["Inconnu"].value == "—"
    assert cells["'=1+1"].value is True  # text still neutralised, booleans untouched
    assert s.AMOUNT == '#,##0.00\\ "€"' and s.INTEGER == "#,##0"


@pytest.mark.parametrize(
    ("separator", "expected"),
    [
        (";", "\ufeffHeures;33722;12,5;45%;45,7%;1200000,00;0,0000001;7;'-x;—\r\n"),
        (",", "\ufeffHeures,33722,12.5,45%,45.7%,1200000.00,0.0000001,7,'-x,—\r\n"),
    ],
)
def test_csv_numbers_for_french_excel(separator, expected):  # noqa: ANN001
    row = [
        "Heures",
        s.quantity(33722, "33 722 h"),
        12.5,
        s.share(0.45),
        s.share(0.457),
        s.amount(1_200_000),
        1e-7,
        7,
        "-x",
        s.share(None),
    ]
    assert s.csv_bytes([row], separator=separator) == expected.encode("utf-8")


def test_sheet_titles_cut_at_a_word_and_stay_unique():
    used: set[str] = set()
    long = "Heures validées non comptées, par motif"
    first = s.sheet_title(long, used)
    assert first == "Heures validées non comptées"
    second = s.sheet_title(long, used)
    assert second.endswith(" (2)") and len(second) <= 31
    assert second.removesuffix(" (2)") in long.split(",")[0]
    assert s.sheet_title("heures validées non comptées", used).endswith("(3)")  # case ignored
    assert s.sheet_title("a:b/c?[d]*\\e", used) == "abcde"
    assert s.sheet_title("", used) == "Feuille"
    assert s.sheet_title("x" * 40, used) == "x" * 31  # one word: cut where it must
    assert all(len(title) <= 31 for title in used)
    assert len({title.casefold() for title in used}) == len(used)


def test_the_titles_are_accepted_by_a_workbook():
    workbook = s.new_workbook(empty=True)
    used: set[str] = set()
    for text in ["Par département d'exécution de l'acheteur"] * 3 + ["Synthèse"]:
        workbook.create_sheet(s.sheet_title(text, used))
    names = load_workbook(io.BytesIO(s.workbook_bytes(workbook))).sheetnames
    assert names[0] == "Par département d'exécution de"
    assert names[1:3] == ["Par département d'exécution (2)", "Par département d'exécution (3)"]
    assert names[3] == "Synthèse"


def test_a_number_survives_pickling_and_json():
    """Reports may be cached (pickled) and figures rendered as JSON: both keep the text."""
    import json
    import pickle

    figure = s.share(0.457, "45,7 %")
    again = pickle.loads(pickle.dumps(figure))  # noqa: S301 — our own bytes
    assert (again, again.value, again.number_format) == ("45,7 %", 0.457, s.PERCENT_DECIMAL)
    assert json.dumps([figure]) == '["45,7 %"]'
