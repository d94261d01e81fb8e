"""#12.6: the publics and modalities of a clause come from the clause, defaulting to the
territory's eligibility referential; the tender text (HTML, DOCX, ODT) says exactly what the
clause's data says."""

import io
import zipfile
from datetime import date, timedelta
from html import unescape
from xml.dom.minidom import parseString

import pytest
from docx import Document

from clauses.markets import clause_text, publics, services
from clauses.markets.enums import ConsiderationKind, EligiblePublic, Modality
from clauses.markets.models import SocialConsideration
from tests.markets.test_views_markets import log_in


def _labels(codes: list[str], enum: type) -> list[str]:
    return [enum(code).label for code in codes]


def _docx_items(consideration: SocialConsideration) -> list[str]:
    document = Document(io.BytesIO(clause_text.clause_docx(consideration)))
    return [p.text for p in document.paragraphs if p.style.name == "List Bullet"]


def _odt_items(consideration: SocialConsideration) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(clause_text.clause_odt(consideration))) as archive:
        content = archive.read("content.xml").decode()
    dom = parseString(content)  # noqa: S318 — our own output
    return [
        "".join(node.data for node in item.getElementsByTagName("text:p")[0].childNodes)
        for item in dom.getElementsByTagName("text:list-item")
    ]


def _html_items(consideration: SocialConsideration) -> list[str]:
    html = clause_text.clause_html(consideration)
    return [unescape(part.split("</li>")[0]) for part in html.split("<li>")[1:]]


def assert_text_matches_the_clause(consideration: SocialConsideration) -> None:
    """The bulleted lists of the three outputs are the clause's publics then modalities."""
    expected = _labels(consideration.eligible_publics, EligiblePublic) + _labels(
        consideration.modalities, Modality
    )
    assert expected, "a clause with publics and modalities"
    assert _html_items(consideration) == expected
    assert _docx_items(consideration) == expected
    assert _odt_items(consideration) == expected


@pytest.fixture
def territory_provider():  # noqa: ANN201
    """A referential for Seine-Saint-Denis only (as followup registers it)."""
    calls = []

    def provider(department_code: str | None, on: date) -> list[str] | None:
        calls.append((department_code, on))
        if department_code != "93":
            return None
        return ["qpv_resident", "long_term_jobseeker", "iae_rsa", "unknown_local_criterion"]

    publics.register_territory_publics(provider)
    yield calls
    publics.unregister_territory_publics(provider)


def test_a_clause_created_from_the_lot_form_lists_the_national_publics(client, world):
    market = world.market()
    log_in(client, world, "facilitator")
    response = client.post(
        f"/marches/{market.pk}/lots/ajouter/",
        {"number": "2", "title": "Peinture", "with_clause": "on", "preset": "batiment"},
    )
    assert response.status_code == 302
    clause = market.lots.get(number=2).considerations.get()
    assert clause.eligible_publics == list(EligiblePublic.values)
    assert clause.modalities == list(Modality.values)
    assert_text_matches_the_clause(clause)
    # Not the single derogation public the bug printed.
    assert _html_items(clause)[0] != EligiblePublic.OTHER.label


def test_the_territory_referential_gives_the_default_publics(world, territory_provider):
    market = world.market()  # executed in Saint-Denis (93)
    clause = services.set_consideration(
        actor=world.admin, lot=market.lots.get(), kind=ConsiderationKind.EXECUTION_CONDITION
    )
    assert clause.eligible_publics == [
        EligiblePublic.LONG_TERM_UNEMPLOYED,
        EligiblePublic.QPV_RESIDENTS,
        EligiblePublic.OTHER,
    ]
    assert territory_provider and territory_provider[0][0] == "93"
    assert_text_matches_the_clause(clause)


def test_a_territory_without_referential_falls_back_to_the_national_list(world, territory_provider):
    market = world.market(buyer=world.buyer75, communes=[])
    clause = services.set_consideration(
        actor=world.admin, lot=market.lots.get(), kind=ConsiderationKind.INSERTION_MARKET
    )
    assert clause.eligible_publics == list(EligiblePublic.values)
    assert clause.modalities == []  # an insertion market's text lists no modalities


def test_chosen_publics_and_modalities_are_kept(world, territory_provider):
    market = world.market()
    clause = services.set_consideration(
        actor=world.admin,
        lot=market.lots.get(),
        kind=ConsiderationKind.AWARD_CRITERION,
        eligible_publics=["youth"],
        modalities=["training"],
    )
    assert clause.eligible_publics == ["youth"]
    assert clause.modalities == ["training"]
    assert_text_matches_the_clause(clause)


def test_a_clause_stored_without_publics_prints_the_territory_list(world, territory_provider):
    market = world.market()
    clause = services.set_consideration(
        actor=world.admin, lot=market.lots.get(), kind=ConsiderationKind.EXECUTION_CONDITION
    )
    SocialConsideration.objects.filter(pk=clause.pk).update(eligible_publics=[], modalities=[])
    clause.refresh_from_db()
    items = _html_items(clause)
    assert items[:3] == _labels(["long_term_unemployed", "qpv_residents", "other"], EligiblePublic)
    assert items[3:] == [m.label for m in Modality]


def test_reserved_markets_store_no_publics(world):
    market = world.market()
    clause = services.set_consideration(
        actor=world.admin, lot=market.lots.get(), kind=ConsiderationKind.RESERVED_SIAE
    )
    assert clause.eligible_publics == [] and clause.modalities == []


def test_publics_from_criteria_orders_and_ignores_unknown_codes():
    assert publics.publics_from_criteria([]) == []
    assert publics.publics_from_criteria(["unknown"]) == []
    assert publics.publics_from_criteria(["epide_e2c", "disabled_worker", "sheltered_worker"]) == [
        EligiblePublic.DISABLED_WORKERS,
        EligiblePublic.EPIDE_E2C,
        EligiblePublic.OTHER,
    ]
    # Every mapped public exists.
    assert set(publics.CRITERION_PUBLICS.values()) <= set(EligiblePublic.values)


@pytest.fixture
def referential_provider():  # noqa: ANN201
    """The provider the eligibility referential's app registers (clauses.followup sits above
    markets: the registration is its job; this test wires the same adapter by hand)."""
    from clauses.followup import selectors as followup_selectors
    from clauses.followup import services as followup_services
    from clauses.followup.enums import CriterionGroup
    from clauses.territories.models import Department

    followup_services.load_national_criteria(wet_run=True)

    def provider(department_code: str | None, on: date) -> list[str] | None:
        department = Department.objects.filter(code=department_code).first()
        rows = followup_selectors.criteria_in_force(department, on)
        codes = [code for code, row in rows.items() if row.group == CriterionGroup.CLAUSE_PUBLIC]
        return codes or None

    publics.register_territory_publics(provider)
    yield
    publics.unregister_territory_publics(provider)


def test_the_referential_versions_in_force_give_the_publics(world, referential_provider):
    from django.utils import timezone

    from clauses.followup.models import EligibilityCriterion

    market = world.market()
    clause = services.set_consideration(
        actor=world.admin, lot=market.lots.get(), kind=ConsiderationKind.EXECUTION_CONDITION
    )
    assert EligiblePublic.QPV_RESIDENTS in clause.eligible_publics
    assert clause.eligible_publics[-1] == EligiblePublic.OTHER
    # The national QPV criterion ends yesterday: a new clause no longer lists it.
    yesterday = timezone.localdate() - timedelta(days=1)
    EligibilityCriterion.objects.filter(code="qpv_resident").update(valid_until=yesterday)
    services.save_lot(actor=world.admin, market=market, number=2, title="Second lot")
    second = market.lots.get(number=2)
    clause = services.set_consideration(
        actor=world.admin, lot=second, kind=ConsiderationKind.EXECUTION_CONDITION
    )
    assert EligiblePublic.QPV_RESIDENTS not in clause.eligible_publics
    assert_text_matches_the_clause(clause)
