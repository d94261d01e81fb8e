"""People already followed are matched without revealing other structures' data (the rule
followup applies, #11.7); markets, lots, companies and assignments by their natural keys."""

import pytest

from clauses.followup.models import Participant
from clauses.history.services import ImportInvalid
from clauses.hours.models import HourDeclaration
from clauses.markets.models import Market
from tests.history.engine_support import D, row
from tests.history.engine_support import fw as fw  # noqa: F401
from tests.history.engine_support import hw as hw  # noqa: F401
from tests.history.engine_support import world as world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_person_the_structure_already_follows_is_matched(hw):
    known = hw.fw.participant(first="Éloïse", last="Dupont", birth_date=D(1990, 3, 12))
    preview = hw.preview([row()])
    assert preview.would_match["person"] == 1
    assert "person" not in preview.would_create
    hw.run([row()])
    assert Participant.objects.filter(last_name="Dupont").get() == known


def test_the_same_person_spelt_otherwise_is_matched(hw):
    hw.fw.participant(first="Eloise", last="DUPONT", birth_date=D(1990, 3, 12))
    preview = hw.preview([row(Nom="dupont ", Prénom="ÉLOÏSE")])
    assert preview.would_match["person"] == 1


def test_another_structures_person_is_neither_matched_nor_revealed(hw):
    """Another 93 structure follows the same person (same identity key), unseen by the 93
    facilitator: the import makes the structure's own record, writes nothing through the
    other one, and its preview reads exactly as for a stranger."""
    from clauses.accounts.enums import Role
    from clauses.followup import services as followup_services
    from tests.markets.conftest import departmental, member, organisation_of
    from tests.network.factories import FacilitatorStructureFactory

    neighbour = FacilitatorStructureFactory(name="Voisine 93", coordination=departmental("93"))
    neighbour_actor = member(organisation_of(neighbour), Role.FACILITATOR)
    hidden, _ = followup_services.create_participant(
        actor=neighbour_actor,
        structure=neighbour,
        first_name="Éloïse",
        last_name="Dupont",
        birth_date=D(1990, 3, 12),
    )
    stranger = hw.preview([row(Nom="Inconnue", Prénom="Zoé")])
    preview = hw.preview([row()])
    assert preview.would_create == stranger.would_create
    assert preview.would_match == stranger.would_match
    hw.run([row()])
    mine = Participant.objects.get(structure=hw.structure, last_name="Dupont")
    assert mine != hidden
    assert mine.identity_key == hidden.identity_key  # one person for the hours ceiling
    hidden.refresh_from_db()
    assert not hidden.assignments.exists() and not hidden.validations.exists()


def test_the_departemental_coordination_matches_what_it_sees(hw):
    known = hw.fw.participant(first="Éloïse", last="Dupont", birth_date=D(1990, 3, 12))
    preview = hw.preview([row()], who="coordinator93")
    assert preview.would_match["person"] == 1
    hw.run([row()], who="coordinator93")
    assert Participant.objects.filter(last_name="Dupont").get() == known


def test_an_existing_market_of_the_buyer_is_matched_with_its_lot(hw):
    market = hw.fw.base.market(reference="HIST-2024-01")
    preview = hw.preview([row()])
    assert preview.would_match["market"] == 1
    assert preview.would_match["lot"] == 1
    hw.run([row()])
    assert market.lots.get().assignments.count() == 1
    assert market.lots.get().contractors.filter(name="Bâtiments Reprise SA").exists()


def test_a_market_the_structure_does_not_follow_is_a_problem(hw):
    hw.fw.base.market(
        reference="HIST-2024-01", following_structure=hw.fw.base.s75, facilitator=None
    )
    with pytest.raises(ImportInvalid) as caught:
        hw.run([row()])
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (2, "N° marché")
    assert "ne le suit pas" in problem.message


def test_a_month_already_declared_otherwise_is_not_replaced(hw):
    hw.run([row()])
    with pytest.raises(ImportInvalid) as caught:
        hw.run([row(Heures="40")])
    assert "déjà 35 h pour 03/2024" in caught.value.problems[0].message
    assert HourDeclaration.objects.get().declared_hours == 35


def test_the_monthly_ceiling_counts_hours_already_there(hw):
    hw.run([row(Heures="150")])
    second = row(**{"N° marché": "HIST-2024-02", "Heures": "100"})
    with pytest.raises(ImportInvalid) as caught:
        hw.run([second])
    assert "250 h" in caught.value.problems[0].message


def test_a_participants_only_file_works(hw):
    headers = ["Nom", "Prénom", "Année de naissance", "Critère", "Date de validation"]
    table = hw.table([["Martin", "Léo", "1985", "RQTH", "15/01/2023"]], headers=headers)
    from clauses.history import services

    record = services.run_import(
        actor=hw.actor(), structure=hw.structure, table=table, columns=hw.columns(table)
    )
    assert set(record.counts) == {"person", "eligibility"}
    person = Participant.objects.get(last_name="Martin")
    assert person.birth_year == 1985 and person.birth_date is None
    assert [c.code for c in person.validations.get().criteria.all()] == ["disabled_worker"]


def test_duplicate_rows_are_skipped_and_conflicting_ones_refused(hw):
    preview = hw.preview([row(), row()])
    assert preview.would_skip["hours"] == 1
    preview = hw.preview([row(), row(Heures="36")])
    assert preview.problems[0].line == 3
    assert "déjà à la ligne 2" in preview.problems[0].message


def test_a_buyer_written_otherwise_is_found_not_added(hw):
    from clauses.accounts.models import Organisation

    before = Organisation.objects.filter(kind="buyer").count()
    preview = hw.preview([row(Acheteur="VILLE DE SAINT DENIS (TEST)")])
    assert "organisation" in preview.would_create  # the company only
    assert preview.would_create["organisation"] == 1
    hw.run([row(Acheteur="ville de saint-denis (test)")])
    assert Organisation.objects.filter(kind="buyer").count() == before
    assert Market.objects.get(reference="HIST-2024-01").buyer == hw.fw.base.buyer


def test_a_participants_only_file_keeps_the_eligibility_end_of_people_at_work(hw):
    person = hw.fw.participant(first="Éloïse", last="Dupont", birth_date=D(1990, 3, 12))
    hw.fw.assign(person, start_date=D(2026, 3, 1))
    from clauses.followup import services as followup_services

    followup_services.validate_eligibility(
        actor=hw.actor(),
        participant=person,
        criteria_codes=["qpv_resident"],
        proof_kind="residence_proof",
        proof_date=D(2026, 2, 1),
        on=D(2026, 2, 15),
    )
    validation = person.validations.get()
    assert validation.valid_until == D(2028, 2, 29)
    headers = ["Nom", "Prénom", "Date de naissance", "Critère", "Date de validation"]
    table = hw.table([["Dupont", "Éloïse", "12/03/1990", "RQTH", "15/01/2024"]], headers)
    from clauses.history import services

    services.run_import(
        actor=hw.actor(), structure=hw.structure, table=table, columns=hw.columns(table)
    )
    validation.refresh_from_db()
    assert validation.valid_until == D(2028, 2, 29)
    added = person.validations.exclude(pk=validation.pk).get()
    assert added.valid_until == D(2028, 2, 29)  # from the same first contract


def test_a_market_reference_written_in_another_case_is_matched(hw):
    market = hw.fw.base.market(reference="hist-2024-01")
    preview = hw.preview([row()])
    assert preview.would_match["market"] == 1
    hw.run([row()])
    assert Market.objects.filter(buyer=market.buyer, reference__iexact="HIST-2024-01").count() == 1
