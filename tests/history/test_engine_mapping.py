"""Suggestions of columns and values, typing of cells, and the pure checks of a file; a
property test: whatever the cells hold, checking a file never raises."""

import datetime
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clauses.core.spreadsheets import Formula
from clauses.history import fields, mapping, services, validation
from tests.history.engine_support import HEADERS, csv_bytes, row

D = datetime.date


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Nom", "person.last_name"),
        ("NOM DE FAMILLE", "person.last_name"),
        ("prénom", "person.first_name"),
        ("Date de naissance", "person.birth_date"),
        ("date_naissance", "person.birth_date"),
        ("Né(e) le", "person.birth_date"),
        ("Critère d'éligibilité", "eligibility.criteria"),
        ("Date de début du contrat", "assignment.start_date"),
        ("DATE DEBUT", "assignment.start_date"),
        ("Date de fin", "assignment.end_date"),
        ("N° marché", "market.reference"),
        ("Référence du marché", "market.reference"),
        ("Maître d'ouvrage", "market.buyer_name"),
        ("Raison sociale", "assignment.company_name"),
        ("Type de contrat", "assignment.modality"),
        ("Heures réalisées", "hours.hours"),
        ("Nb heures", "hours.hours"),
        ("Mois", "hours.month"),
        ("Commentaire", None),
        ("", None),
    ],
)
def test_suggest_field(header, key):
    assert fields.suggest_field(header) == key


def test_suggest_columns_gives_each_header_once():
    suggestion = fields.suggest_columns(["Nom", "Nom", "Prénom", "Divers"])
    assert suggestion["person.last_name"] == "Nom"
    assert suggestion["person.first_name"] == "Prénom"
    assert set(suggestion) == {field.key for field in fields.FIELDS}


@pytest.mark.parametrize(
    ("key", "label", "code"),
    [
        ("eligibility.criteria", "BRSA", "minimum_benefits"),
        ("eligibility.criteria", "RSA socle", "minimum_benefits"),
        ("eligibility.criteria", "rqth", "disabled_worker"),
        ("eligibility.criteria", "DELD", "long_term_jobseeker"),
        ("eligibility.criteria", "Habitant QPV", "qpv_resident"),
        ("assignment.modality", "CDDI", "subcontract_siae"),
        ("assignment.modality", "Intérim d'insertion", "etti"),
        ("assignment.modality", "intérim", "ett"),
        ("assignment.modality", "Contrat de professionnalisation", "professionalisation"),
        ("assignment.contract_type", "CDD d'insertion", "cddi"),
        ("person.gender", "F", "female"),
        ("market.kind", "Travaux", "works"),
        ("clause.kind", "Clause d'insertion", "execution_condition"),
        ("eligibility.criteria", "Autre chose", None),
        ("hours.hours", "35", None),
    ],
)
def test_suggest_value(key, label, code):
    assert fields.suggest_value(key, label) == code


def test_every_choice_code_is_a_real_code():
    from clauses.followup.enums import FulfilmentModality
    from clauses.followup.rules import CRITERIA_BY_CODE

    assert set(fields.choice_codes("eligibility.criteria")) == set(CRITERIA_BY_CODE)
    assert set(fields.choice_codes("assignment.modality")) == set(FulfilmentModality.values)
    for key, choices in fields.CHOICE_FIELDS.items():
        for choice in choices:
            for synonym in choice.synonyms:
                assert fields.suggest_value(key, synonym) is not None, (key, synonym)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15/03/2021", D(2021, 3, 15)),
        ("15/03/21", D(2021, 3, 15)),
        ("2021-03-15", D(2021, 3, 15)),
        ("15.03.2021", D(2021, 3, 15)),
        ("15 mars 2021", D(2021, 3, 15)),
        (datetime.datetime(2021, 3, 15, 0, 0), D(2021, 3, 15)),
        ("", None),
    ],
)
def test_parse_date(cell, expected):
    assert mapping.parse_date(cell) == expected


@pytest.mark.parametrize(
    "cell", ["31/02/2021", "demain", "15/03/1850", 44000, Formula("=TODAY()"), "1e308"]
)
def test_parse_date_refuses_in_french(cell):
    with pytest.raises(mapping.CellError):
        mapping.parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("03/2024", D(2024, 3, 1)),
        ("2024-03", D(2024, 3, 1)),
        ("mars 2024", D(2024, 3, 1)),
        ("Mars-24", D(2024, 3, 1)),
        ("févr. 2024", D(2024, 2, 1)),
        ("15/03/2024", D(2024, 3, 1)),
        (datetime.datetime(2024, 3, 31), D(2024, 3, 1)),
    ],
)
def test_parse_month(cell, expected):
    assert mapping.parse_month(cell) == expected


def test_parse_number_and_choice():
    assert mapping.parse_number("151,67") == Decimal("151.67")
    assert mapping.parse_number("35 h") == Decimal(35)
    for bad in ("1e308", "inf", "NaN", "-5", "trente"):
        with pytest.raises(mapping.CellError):
            mapping.parse_number(bad)
    values = {"eligibility.criteria": {"Public PLIE": "long_term_jobseeker", "Autre": "__ignore__"}}
    assert mapping.parse_choice("BRSA, public plie", "eligibility.criteria", values) == [
        "minimum_benefits",
        "long_term_jobseeker",
    ]
    assert mapping.parse_choice("Autre", "eligibility.criteria", values) == []
    with pytest.raises(mapping.CellError, match="non reconnue"):
        mapping.parse_choice("Martien", "eligibility.criteria", values)


def _check(rows, headers=HEADERS, values=None):
    table = services.read_bytes(csv_bytes(rows, headers), name="f.csv")
    columns = {k: v for k, v in fields.suggest_columns(table.headers).items() if v}
    return validation.check_table(
        table.headers, table.rows, columns, values or {}, today=D(2026, 12, 6)
    )


def test_problems_name_line_and_column_in_french():
    checked = _check(
        [
            row(),
            row(Nom="", Mois="13/2024"),
            row(**{"Date de début": "01/07/2024", "Date de fin": "30/06/2024"}),
            row(Heures="1e308"),
            row(Critères="Martien"),
        ]
    )
    found = {(p.line, p.column) for p in checked.problems}
    assert (3, "Nom") in found
    assert (3, "Mois") in found
    assert (4, "Date de fin") in found
    assert (5, "Heures") in found
    assert (6, "Critères") in found
    assert not checked.rows  # nothing to write while anything is wrong


def test_a_missing_required_column_is_said_once():
    headers = [h for h in HEADERS if h != "Date de début"]
    rows = [[v for h, v in zip(HEADERS, row(), strict=True) if h != "Date de début"]]
    checked = _check(rows, headers)
    assert checked.problems == [
        validation.Problem(
            1, "", "associez une colonne au champ « Début de la mission » (missions)."
        )
    ]


def test_hours_outside_the_mission_and_in_the_future():
    checked = _check([row(Mois="07/2024"), row(Mois="01/2027", **{"Date de fin": ""})])
    messages = [p.message for p in checked.problems]
    assert any("hors des dates de la mission" in m for m in messages)
    assert any("pas encore commencé" in m for m in messages)


def test_a_hostile_file_is_refused_in_french():
    for raw, name in ((b"PK\x03\x04garbage", "x.xlsx"), (b"\x00\x01\x02", "x.xls"), (b"", "x.csv")):
        stream = io.BytesIO(raw)
        stream.name = name
        with pytest.raises(services.ImportRefused):
            services.read_upload(stream)
    header_formula = io.BytesIO(b"=cmd|' /C calc'!A0;Nom\n1;2\n")
    header_formula.name = "x.csv"
    with pytest.raises(services.ImportRefused, match="formule"):
        services.read_upload(header_formula)


def test_distinct_values_count_and_suggest():
    table = services.read_bytes(
        csv_bytes([row(), row(Mois="04/2024"), row(Critères="RSA socle, QPV", Mois="05/2024")]),
        name="f.csv",
    )
    columns = {k: v for k, v in fields.suggest_columns(table.headers).items() if v}
    values = services.distinct_values(table, columns)
    assert values["eligibility.criteria"] == [
        ("BRSA", "minimum_benefits", 2),
        ("RSA socle", "minimum_benefits", 1),
        ("QPV", "qpv_resident", 1),
    ]


CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.builds(Formula, st.text(max_size=10)),
    st.sampled_from(["1e308", "31/02/2024", "13/2024", "=1+1", "BRSA", "CDDI", "03/2024"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=0, max_size=len(HEADERS) + 2), max_size=6))
def test_checking_never_raises_whatever_the_cells(rows):
    columns = {k: v for k, v in fields.suggest_columns(HEADERS).items() if v}
    checked = validation.check_table(
        HEADERS, [(n + 2, r) for n, r in enumerate(rows)], columns, {}, today=D(2026, 12, 6)
    )
    assert all(isinstance(p.message, str) and p.message for p in checked.problems)
    assert not (checked.rows and checked.problems)
