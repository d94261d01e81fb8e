"""#12.11 and #12.12 on markets: search and filters on the market list (paginated, with a
query budget), status changes that record the real date of the step, and French as people
write it (amounts and hours with spaces, "1 200 h", "6 déc. 2026")."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clauses.markets import services
from clauses.markets.enums import ConsiderationKind, MarketEventKind, MarketStatus
from clauses.markets.forms import FrenchIntegerField
from clauses.markets.models import MarketEvent
from tests.markets.test_views_markets import LIST, insertion_clause, log_in, market_ids, text

TODAY = timezone.localdate()


# -- search and filters ------------------------------------------------------------------


def test_search_year_and_clause_filters(client, world):
    school = world.market(subject="Réhabilitation du groupe scolaire Pasteur")
    roads = world.market(
        subject="Entretien de la voirie",
        kind="services",
        cpv=None,
        consultation_launch_date=date(2024, 3, 1),
    )
    insertion_clause(world, school)
    services.save_lot(actor=world.admin, market=roads, number=2, title="Marquage au sol")
    log_in(client, world, "coordinator93")
    year = TODAY.year
    for params, expected in [
        ({"q": "pasteur"}, [school.pk]),
        ({"q": "voirie entretien"}, [roads.pk]),
        ({"q": "marquage"}, [roads.pk]),  # a lot's title
        ({"q": "Ville de Saint-Denis"}, sorted([school.pk, roads.pk])),  # the buyer
        ({"annee": "2024"}, [roads.pk]),
        ({"annee": str(year)}, [school.pk]),
        ({"clause": "any"}, [school.pk]),
        ({"clause": "none"}, [roads.pk]),
        ({"q": "pasteur", "clause": "none"}, []),
    ]:
        full = text(client.get(LIST, params))
        partial = text(client.get(LIST, params, headers={"HX-Request": "true"}))
        assert sorted(market_ids(full)) == sorted(market_ids(partial)) == expected, params
    page = text(client.get(LIST))
    assert '<option value="2024">2024</option>' in page
    assert 'name="q"' in page and "Rechercher" in page


def test_hours_of_the_list_keep_the_search_join_out(world):
    """A search on a lot's title must not multiply the hours summed over the lots."""
    market = world.market(lots=[{"number": 1, "title": "Gros œuvre"}, {"number": 2, "title": "B"}])
    for lot in market.lots.all():
        services.set_consideration(
            actor=world.admin,
            lot=lot,
            kind=ConsiderationKind.EXECUTION_CONDITION,
            manual_hours=600,
        )
    from clauses.markets import selectors

    actor = world.actor("coordinator93")
    rows = list(selectors.market_list(actor, selectors.MarketFilters(search="œuvre")))
    assert [(r.pk, r.hours_target, r.lot_count) for r in rows] == [(market.pk, 1200, 2)]


def test_list_is_paginated_within_a_query_budget(client, world, django_assert_max_num_queries):
    for number in range(25):
        world.market(reference=f"P-{number:02d}", subject=f"Marché numéro {number}")
    log_in(client, world, "coordinator93")
    client.get(LIST)  # warm the session and caches (16 queries measured for 20 rows)
    with django_assert_max_num_queries(18):
        response = client.get(LIST, {"q": "numéro", "annee": str(TODAY.year), "clause": ""})
    assert response.status_code == 200
    assert len(market_ids(text(response))) == 20
    assert "Page 1 sur 2" in text(response)
    second = text(client.get(LIST, {"q": "numéro", "page": "2"}))
    assert len(market_ids(second)) == 5


# -- status changes with the real dates --------------------------------------------------


def test_a_status_change_records_the_date_typed(world):
    market = world.market()
    launch = TODAY - timedelta(days=40)
    services.change_status(
        actor=world.admin, market=market, to=MarketStatus.IN_CONSULTATION, on=launch
    )
    market.refresh_from_db()
    assert market.consultation_launch_date == launch
    event = MarketEvent.objects.filter(market=market, to_status="in_consultation").get()
    assert event.details["consultation_launch_date"] == launch.isoformat()
    # Notification before the launch: refused, in French, with both dates.
    with pytest.raises(ValidationError) as error:
        services.change_status(
            actor=world.admin,
            market=market,
            to=MarketStatus.AWARDED,
            on=launch - timedelta(days=1),
        )
    message = error.value.message_dict["on"][0]
    assert "ne peut pas précéder la date du lancement de la consultation" in message
    # Far in the future: refused.
    with pytest.raises(ValidationError) as error:
        services.change_status(
            actor=world.admin,
            market=market,
            to=MarketStatus.AWARDED,
            on=TODAY + timedelta(days=services.market.MAX_DAYS_AHEAD + 1),
        )
    assert "indiquez la date réelle" in error.value.message_dict["on"][0]
    market.refresh_from_db()
    assert market.status == MarketStatus.IN_CONSULTATION and market.notification_date is None
    notified = TODAY - timedelta(days=3)
    market = services.change_status(
        actor=world.admin, market=market, to=MarketStatus.AWARDED, on=notified
    )
    market = services.change_status(
        actor=world.admin, market=market, to=MarketStatus.IN_EXECUTION, on=TODAY + timedelta(7)
    )
    market.refresh_from_db()
    assert market.notification_date == notified
    assert market.start_date == TODAY + timedelta(7)
    # Closing records the end of execution, not before its start.
    with pytest.raises(ValidationError):
        services.change_status(actor=world.admin, market=market, to=MarketStatus.CLOSED, on=TODAY)
    services.change_status(
        actor=world.admin, market=market, to=MarketStatus.CLOSED, on=TODAY + timedelta(20)
    )
    market.refresh_from_db()
    assert market.end_date == TODAY + timedelta(20)


def test_without_a_date_the_api_behaviour_stays(world):
    market = world.market(consultation_launch_date=date(2020, 1, 1))
    services.change_status(actor=world.admin, market=market, to=MarketStatus.IN_CONSULTATION)
    market.refresh_from_db()
    assert market.consultation_launch_date == date(2020, 1, 1)  # known: kept


def test_the_status_form_asks_for_the_date(client, world):
    market = world.market()
    log_in(client, world, "buyer")
    page = text(client.get(f"/marches/{market.pk}/"))
    assert 'name="on"' in page and "Date de l&#x27;étape" in page.replace("'", "&#x27;")
    assert f'value="{TODAY.isoformat()}"' in page  # today by default
    url = f"/marches/{market.pk}/statut/"
    response = client.post(url, {"to": "in_consultation", "on": "2099-01-01"})
    assert response.status_code == 400
    assert "indiquez la date réelle" in text(response)
    launch = TODAY - timedelta(days=10)
    response = client.post(url, {"to": "in_consultation", "on": launch.isoformat()})
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.consultation_launch_date == launch
    page = text(client.get(f"/marches/{market.pk}/"))
    assert f"Consultation lancée le {launch.day} " in page


# -- French as people write it ------------------------------------------------------------


def test_amounts_and_hours_typed_with_spaces_are_accepted(client, world):
    market = world.market()
    lot = market.lots.get()
    log_in(client, world, "facilitator")
    response = client.post(
        f"/marches/{market.pk}/lots/{lot.pk}/considerations/ajouter/",
        {
            "kind": "execution_condition",
            "hours_mode": "manual",
            "manual_hours": "1 200",
            "penalty_per_missing_hour": "1 000,50",
        },
    )
    assert response.status_code == 302, text(response)
    clause = lot.considerations.get()
    assert clause.calculated_hours == 1200
    assert clause.penalty_per_missing_hour == Decimal("1000.50")
    page = text(client.get(f"/marches/{market.pk}/"))
    assert "1\xa0200 heures d&#x27;insertion" in page or "1\xa0200 heures d'insertion" in page
    listing = text(client.get(LIST))
    assert "1\xa0200 h" in listing
    # An amount typed "2 400 000" on the market form.
    response = client.post(
        f"/marches/{market.pk}/modifier/",
        {
            "buyer": world.buyer.pk,
            "reference": market.reference,
            "subject": market.subject,
            "kind": "works",
            "estimated_amount_ht": "2 400 000",
            "duration_months": "12",
            "communes": "93066",
        },
    )
    assert response.status_code == 302, text(response)
    market.refresh_from_db()
    assert market.estimated_amount_ht == Decimal(2_400_000)
    assert market.duration_months == 12


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1 200", 1200), ("1\u202f200", 1200), ("1\xa0200", 1200), ("18", 18), ("", None)],
)
def test_french_integer_field_reads_what_people_type(typed, expected):
    assert FrenchIntegerField(required=False).clean(typed) == expected


@pytest.mark.parametrize("typed", ["1,5", "douze", "1e30", "-3"])
def test_french_integer_field_refuses_in_french(typed):
    with pytest.raises(ValidationError) as error:
        FrenchIntegerField(required=False, min_value=0).clean(typed)
    assert re.search(r"nombre|Indiquez", error.value.messages[0])


def test_history_dates_are_written_in_lower_case_french(client, world):
    market = world.market()
    MarketEvent.objects.create(
        market=market,
        kind=MarketEventKind.LOT_SAVED,
        actor_repr="Test",
        details={},
        created_at=timezone.make_aware(timezone.datetime(2026, 12, 6, 10, 30)),
    )
    log_in(client, world, "buyer")
    page = text(client.get(f"/marches/{market.pk}/"))
    assert "6 déc. 2026 à 10:30" in page
    assert "Déc" not in page


def test_forms_mark_optional_fields_one_way(client, world):
    market = world.market()
    lot = market.lots.get()
    log_in(client, world, "facilitator")
    for url in (
        "/marches/nouveau/",
        f"/marches/{market.pk}/lots/ajouter/",
        f"/marches/{market.pk}/lots/{lot.pk}/considerations/ajouter/",
    ):
        page = text(client.get(url)).lower()
        assert "facultati" not in page, url
