"""Services: statuses and their events, the 2026 mandatory condition and derogations,
clauses with every calculator input stored, adjustments by a facilitator, contractors
checked by SIRET, meetings with the facilitator invited, presets per territory."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from clauses.markets import presets, selectors, services
from clauses.markets.enums import ConsiderationKind, MarketEventKind, MarketStatus
from clauses.markets.models import HourPresetSetting, MarketEvent
from clauses.markets.querysets import SATISFYING_KINDS
from clauses.markets.rules import MarketKind, check_social_obligation
from clauses.territories.models import Region
from tests.accounts.factories import valid_siret

AFTER = date(2026, 9, 15)  # consultations launched after 21 August 2026
BEFORE = date(2026, 6, 1)


def test_a_market_without_lots_gets_a_single_lot(world):
    market = world.market()
    assert [lot.title for lot in market.lots.all()] == ["Lot unique"]
    assert market.status == MarketStatus.PLANNED
    assert market.events.get().kind == MarketEventKind.CREATED


def test_reference_is_unique_per_buyer(world):
    world.market(reference="R-1")
    with pytest.raises(ValidationError) as error:
        world.market(reference="R-1")
    assert "référence" in str(error.value)
    world.market(reference="R-1", buyer=world.buyer75)  # another buyer may use it


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("estimated_amount_ht", "-3", "négatif"),
        ("estimated_amount_ht", "beaucoup", "n'est pas un nombre"),
        ("kind", "autre", "type de marché"),
        ("duration_months", "douze", "nombre entier"),
    ],
)
def test_market_fields_are_validated_in_french(world, field, value, message):
    with pytest.raises(ValidationError) as error:
        world.market(**{field: value, "cpv": None} if field == "kind" else {field: value})
    assert message in str(error.value.message_dict[field])


def test_status_moves_one_step_and_writes_events(world):
    market = world.market(estimated_amount_ht=Decimal(100_000))
    buyer = world.actor("buyer")
    with pytest.raises(ValidationError):
        services.change_status(actor=buyer, market=market, to=MarketStatus.AWARDED)
    for status in (MarketStatus.IN_CONSULTATION, MarketStatus.AWARDED, MarketStatus.IN_EXECUTION):
        market = services.change_status(actor=buyer, market=market, to=status, on=AFTER)
    assert market.consultation_launch_date == AFTER
    assert market.notification_date == AFTER
    market = services.change_status(actor=buyer, market=market, to=MarketStatus.CLOSED)
    kinds = list(market.events.values_list("kind", "from_status", "to_status"))
    assert kinds[-1] == (MarketEventKind.STATUS_CHANGED, "in_execution", "closed")
    assert len([k for k in kinds if k[0] == MarketEventKind.STATUS_CHANGED]) == 4
    with pytest.raises(PermissionDenied):  # closed: read-only
        services.update_market(actor=buyer, market=market, data={"subject": "Autre"})


def test_update_records_changes(world):
    market = world.market()
    services.update_market(
        actor=world.actor("facilitator"),
        market=market,
        data={"subject": "Nouvel objet", "estimated_amount_ht": "1 200 000"},
    )
    event = market.events.get(kind=MarketEventKind.UPDATED)
    assert event.details["changes"]["subject"] == [
        "Réhabilitation du groupe scolaire Pasteur",
        "Nouvel objet",
    ]
    assert event.details["changes"]["estimated_amount_ht"][1] == "1200000.00"


def test_others_cannot_change_a_market(world):
    market = world.market()
    for who in ("buyer75", "facilitator75", "coordinator75", "company"):
        with pytest.raises(PermissionDenied):
            services.update_market(actor=world.actor(who), market=market, data={"subject": "x"})


# -- L2112-2-1 --------------------------------------------------------------------------


def test_mandatory_market_needs_a_clause_or_a_derogation_to_launch(world):
    market = world.market(estimated_amount_ht=Decimal(6_000_000), planned_publication_date=AFTER)
    buyer = world.actor("buyer")
    assert services.obligation_for(market).mandatory
    with pytest.raises(ValidationError) as error:
        services.change_status(
            actor=buyer, market=market, to=MarketStatus.IN_CONSULTATION, on=AFTER
        )
    assert "dérogation" in str(error.value)
    with pytest.raises(ValidationError):
        services.record_derogation(actor=buyer, market=market, reason="court")
    services.record_derogation(
        actor=buyer,
        market=market,
        reason="Solution immédiatement disponible sur étagère, sans main-d'œuvre sur place.",
    )
    services.change_status(actor=buyer, market=market, to=MarketStatus.IN_CONSULTATION, on=AFTER)


def test_an_insertion_clause_satisfies_the_condition(world):
    market = world.market(estimated_amount_ht=Decimal(6_000_000), planned_publication_date=AFTER)
    services.set_consideration(
        actor=world.actor("buyer"),
        lot=market.lots.get(),
        kind=ConsiderationKind.EXECUTION_CONDITION,
        calculation={"preset": "batiment"},
    )
    assert services.social_condition_errors(market) == []
    services.change_status(
        actor=world.actor("buyer"), market=market, to=MarketStatus.IN_CONSULTATION, on=AFTER
    )


def test_each_lot_needs_its_condition(world):
    market = world.market(
        estimated_amount_ht=Decimal(6_000_000),
        planned_publication_date=AFTER,
        lots=[{"number": 1, "title": "Gros œuvre"}, {"number": 2, "title": "Peinture"}],
    )
    first, second = market.lots.order_by("number")
    actor = world.actor("facilitator")
    services.set_consideration(
        actor=actor, lot=first, kind=ConsiderationKind.EXECUTION_CONDITION, manual_hours=500
    )
    assert [lot.pk for lot in services.lots_missing_social_condition(market)] == [second.pk]
    assert "Peinture" in services.social_condition_errors(market)[0]
    services.record_derogation(
        actor=actor, market=market, lot=second, reason="Lot réservé à une SIAE à la place."
    )
    assert services.social_condition_errors(market) == []


def test_missing_social_condition_selector_matches_the_rule(world, django_assert_max_num_queries):
    today = date(2026, 11, 25)
    cases = {
        "works-above": {"estimated_amount_ht": Decimal(6_000_000)},
        "works-below": {"estimated_amount_ht": Decimal(5_000_000)},
        "before-start": {
            "estimated_amount_ht": Decimal(9_000_000),
            "consultation_launch_date": BEFORE,
        },
        "defence": {"estimated_amount_ht": Decimal(9_000_000), "defence_or_security": True},
        "services-above": {"estimated_amount_ht": Decimal(300_000), "kind": "services"},
        "services-state": {
            "estimated_amount_ht": Decimal(150_000),
            "kind": "services",
            "buyer": world.state_buyer,
        },
        "services-commune": {"estimated_amount_ht": Decimal(150_000), "kind": "services"},
        "no-amount": {"estimated_amount_ht": None},
        "derogation": {
            "estimated_amount_ht": Decimal(9_000_000),
            "derogation_reason": "Motif de dérogation assez long.",
        },
    }
    markets = {
        name: world.market(reference=name, cpv=None, **{"kind": "works", **fields})
        for name, fields in cases.items()
    }
    covered = world.market(reference="clause", estimated_amount_ht=Decimal(9_000_000))
    services.set_consideration(
        actor=world.admin,
        lot=covered.lots.get(),
        kind=ConsiderationKind.INSERTION_MARKET,
        manual_hours=100,
    )
    coordinator = world.actor("coordinator93")
    with django_assert_max_num_queries(2):
        missing = {
            m.reference
            for m in selectors.markets_missing_social_condition(coordinator, today=today)
        }
    assert missing == {"works-above", "services-above", "services-state"}
    # The SQL says what the rule says, market by market.
    for name, market in markets.items():
        market.refresh_from_db()
        if market.estimated_amount_ht is None or market.derogation_reason:
            continue
        check = check_social_obligation(
            estimated_amount_ht=market.estimated_amount_ht,
            market_kind=MarketKind(market.kind),
            buyer_is_state=market.buyer.buyer_category == "state",
            consultation_date=market.consultation_date or today,
            defence_or_security=market.defence_or_security,
        )
        assert check.mandatory == (name in missing), name
    assert "execution_condition" in SATISFYING_KINDS
    assert not selectors.markets_missing_social_condition(world.actor("buyer75"), today=today)


# -- clauses and hours --------------------------------------------------------------------


def test_a_clause_stores_every_calculator_input(world):
    market = world.market()
    clause = services.set_consideration(
        actor=world.actor("buyer"),
        lot=market.lots.get(),
        kind=ConsiderationKind.EXECUTION_CONDITION,
        eligible_publics=["long_term_unemployed", "qpv_residents"],
        modalities=["direct_hire", "etti"],
        calculation={"preset": "batiment"},  # the amount is the market's
        penalty_per_missing_hour="45,50",
    )
    assert clause.calculated_hours == 833
    assert clause.hours_target == 833
    assert (clause.hours_method, clause.preset_code) == ("standard", "batiment")
    assert "mefsud77" in clause.preset_source
    assert clause.amount_ht == Decimal(1_000_000)
    assert clause.labour_share == Decimal("0.5")
    assert clause.hourly_cost == Decimal(30)
    assert clause.insertion_rate == Decimal("0.05")
    assert "833 heures" in clause.formula
    assert clause.penalty_per_missing_hour == Decimal("45.50")
    assert clause.decp_value == "Clause sociale"
    assert "L2112-2" in clause.legal_basis


def test_cleaning_clause_stores_duration_and_transferred_staff(world):
    market = world.market(kind="services", cpv=None)
    clause = services.set_consideration(
        actor=world.admin,
        lot=market.lots.get(),
        kind=ConsiderationKind.EXECUTION_CONDITION,
        calculation={
            "amount_ht": 900_000,
            "preset": "proprete",
            "duration_months": 36,
            "transferred_staff_monthly_hours": 600,
        },
    )
    assert clause.calculated_hours == 720
    assert clause.hours_method == "cleaning"
    assert clause.duration_months == Decimal(36)
    assert clause.transferred_staff_monthly_hours == Decimal(600)


def test_impossible_calculation_is_a_validation_error(world):
    market = world.market()
    with pytest.raises(ValidationError) as error:
        services.set_consideration(
            actor=world.admin,
            lot=market.lots.get(),
            kind=ConsiderationKind.EXECUTION_CONDITION,
            calculation={"preset": "batiment", "labour_share": "1,5"},
        )
    assert "entre 0 et 1" in str(error.value.message_dict["calculation"])
    with pytest.raises(ValidationError):
        services.set_consideration(
            actor=world.admin,
            lot=market.lots.get(),
            kind=ConsiderationKind.EXECUTION_CONDITION,
            eligible_publics=["inconnu"],
        )


def test_only_the_facilitator_side_overrides_hours_with_a_reason(world):
    market = world.market()
    clause = services.set_consideration(
        actor=world.actor("buyer"),
        lot=market.lots.get(),
        kind=ConsiderationKind.EXECUTION_CONDITION,
        calculation={"preset": "batiment"},
    )
    with pytest.raises(PermissionDenied):
        services.override_hours(
            actor=world.actor("buyer"), consideration=clause, hours=600, reason="Je préfère ainsi."
        )
    facilitator = world.actor("facilitator")
    with pytest.raises(ValidationError):
        services.override_hours(actor=facilitator, consideration=clause, hours=600, reason="")
    clause = services.override_hours(
        actor=facilitator,
        consideration=clause,
        hours=600,
        reason="Lot très mécanisé : la part de main-d'œuvre réelle est plus faible.",
    )
    assert (clause.hours_target, clause.calculated_hours) == (600, 833)
    assert clause.overridden_by_id == facilitator.user_id
    # Re-computing keeps the adjustment.
    clause = services.set_consideration(
        actor=facilitator,
        lot=clause.lot,
        kind=ConsiderationKind.EXECUTION_CONDITION,
        calculation={"preset": "batiment", "insertion_rate": "0.06"},
    )
    assert (clause.hours_target, clause.calculated_hours) == (600, 1000)
    clause = services.override_hours(actor=facilitator, consideration=clause, hours=None, reason="")
    assert clause.hours_target == 1000
    assert market.events.filter(kind=MarketEventKind.HOURS_OVERRIDDEN).count() == 2


# -- contractors -------------------------------------------------------------------------


def test_contractors_are_checked_by_siret(world):
    market = world.market()
    lot = market.lots.get()
    actor = world.actor("buyer")
    with pytest.raises(ValidationError) as error:
        services.add_contractor(actor=actor, lot=lot, siret="12345678901234", role="holder")
    assert "clé de contrôle" in str(error.value)
    with pytest.raises(ValidationError):
        services.add_contractor(actor=actor, lot=lot, siret=valid_siret(), role="holder")  # no name
    link = services.add_contractor(actor=actor, lot=lot, siret=world.company.siret, role="holder")
    assert link.organisation == world.company
    siret = valid_siret()
    sub = services.add_contractor(
        actor=actor, lot=lot, siret=siret[:3] + " " + siret[3:], role="subcontractor", name="EI"
    )
    assert sub.organisation.kind == "company" and sub.organisation.siret == siret
    with pytest.raises(ValidationError):  # a buyer's SIRET is not a company's
        services.add_contractor(actor=actor, lot=lot, siret=world.buyer75.siret, role="holder")
    assert list(lot.contractors.order_by("name").values_list("name", flat=True)) == [
        "EI",
        "Entreprise Test BTP",
    ]


# -- meetings ----------------------------------------------------------------------------


def test_meeting_invites_the_facilitator(world, django_capture_on_commit_callbacks):
    market = world.market()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.schedule_meeting(
            actor=world.actor("buyer"),
            market=market,
            kind="launch",
            when=datetime(2026, 10, 5, 10, tzinfo=ZoneInfo("Europe/Paris")),
            location="Mairie",
        )
    assert meeting.facilitator_invited and meeting.invited_at
    assert [m.to for m in mail.outbox] == [["camille.facile@exemple.fr"]]
    assert "lancement" in mail.outbox[0].subject
    assert MarketEvent.objects.filter(kind=MarketEventKind.FACILITATOR_INVITED).exists()


# -- presets per territory ---------------------------------------------------------------


def test_presets_fall_back_from_department_to_region_to_national(world):
    regional = world.actor("coordinator93")  # departmental: may set 93 only
    with pytest.raises(PermissionDenied):
        services.save_hour_preset(
            actor=regional, department_code="75", code="batiment", label="x", source="y"
        )
    assert presets.presets_for("93")["batiment"].hourly_cost == Decimal(30)
    idf = Region.objects.get(code="11")
    services.save_hour_preset(
        actor=world.admin,
        region_id=idf.pk,
        code="batiment",
        label="Bâtiment IDF",
        source="Coordination régionale",
        hourly_cost="28",
        verified=True,
    )
    services.save_hour_preset(
        actor=regional,
        department_code="93",
        code="espaces_verts",
        label="Espaces verts (93)",
        source="Pratique locale, non sourcée",
        hourly_cost="27",
        insertion_rate="0.07",
    )
    in93 = presets.presets_for("93")
    assert in93["batiment"].hourly_cost == Decimal(28)
    assert in93["batiment"].territory == presets.REGION
    assert in93["batiment"].labour_share == Decimal("0.50")
    assert in93["espaces_verts"].missing == ("labour_share",)
    assert not in93["espaces_verts"].verified
    assert presets.presets_for("75")["batiment"].hourly_cost == Decimal(28)  # same region
    assert "espaces_verts" not in presets.presets_for("75")
    assert "espaces_verts" not in presets.presets_for(None)
    assert HourPresetSetting.objects.count() == 2


def test_a_preset_without_a_sourced_value_asks_for_it(world, client):
    services.save_hour_preset(
        actor=world.admin,
        department_code="93",
        code="espaces_verts",
        label="Espaces verts (93)",
        source="Pratique locale",
        hourly_cost="27",
        insertion_rate="0.07",
    )
    body = {"amount_ht": 100_000, "preset": "espaces_verts", "department": "93"}
    response = client.post("/api/v1/clauses/hours-estimate", body, content_type="application/json")
    assert response.status_code == 422
    assert "saisissez-la" in response.json()["detail"]
    body["labour_share"] = "0.6"
    response = client.post("/api/v1/clauses/hours-estimate", body, content_type="application/json")
    assert response.json()["hours"] == 156  # 100 000 × 0,6 ÷ 27 × 7 %
    assert any("non vérifi" in w or "pas de source" in w for w in response.json()["warnings"])
    row = next(
        r
        for r in client.get("/api/v1/clauses/hours-presets?department=93").json()
        if r["code"] == "espaces_verts"
    )
    assert row["labour_share"] is None and row["verified"] is False


def test_preset_values_are_checked(world):
    with pytest.raises(ValidationError) as error:
        services.save_hour_preset(
            actor=world.admin,
            department_code="93",
            code="Bâtiment !",
            label="",
            source="",
            labour_share="70",
            hourly_cost="0",
        )
    assert set(error.value.message_dict) == {
        "code",
        "label",
        "source",
        "labour_share",
        "hourly_cost",
    }
