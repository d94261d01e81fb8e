"""Markets pages: who opens what (200/403/404 per role), lists (filters, htmx partial,
query budget, missing social condition), a market's page and its action forms (bad input
re-rendered with French errors), clause texts and downloads, conversion of a desk request."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.enums import Role
from clauses.markets import services
from clauses.markets.enums import ConsiderationKind, MarketStatus
from clauses.markets.models import LotContractor, Market, Meeting, SocialConsideration
from clauses.network.models import Facilitator
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory, valid_siret
from tests.markets.conftest import departmental, organisation_of
from tests.markets.test_conversion import file_request

LIST = "/marches/"

TODAY = timezone.localdate().isoformat()


def member(world, who: str):  # noqa: ANN001, ANN201
    organisation, role = {
        "buyer": (world.buyer, Role.BUYER_AGENT),
        "buyer75": (world.buyer75, Role.BUYER_AGENT),
        "facilitator": (organisation_of(world.s93), Role.FACILITATOR),
        "facilitator75": (organisation_of(world.s75), Role.FACILITATOR),
        "coordinator93": (organisation_of(departmental("93")), Role.COORDINATOR),
        "coordinator75": (organisation_of(departmental("75")), Role.COORDINATOR),
        "company": (world.company, Role.COMPANY_CONTACT),
    }[who]
    return MembershipFactory(organisation=organisation, role=role)


def log_in(client, world, who: str) -> None:  # noqa: ANN001
    if who != "anonymous":
        login(client, member(world, who))


def text(response) -> str:  # noqa: ANN001
    return unescape(response.content.decode())


def market_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-market="(\d+)"', html)]


def insertion_clause(world, market: Market) -> SocialConsideration:  # noqa: ANN001
    return services.set_consideration(
        actor=world.admin,
        lot=market.lots.get(),
        kind=ConsiderationKind.EXECUTION_CONDITION,
        eligible_publics=["long_term_unemployed"],
        modalities=["direct_hire"],
        calculation={"preset": "batiment"},
        penalty_per_missing_hour="45",
    )


def mandatory_market(world, **overrides):  # noqa: ANN001, ANN201
    """Works at 6 M€ published after 21 August 2026: L2112-2-1 applies."""
    return world.market(
        estimated_amount_ht=Decimal(6_000_000),
        planned_publication_date=date(2026, 9, 15),
        **overrides,
    )


# ---------------------------------------------------------------------------------------
# Who opens what


@pytest.mark.parametrize(
    ("who", "status", "title"),
    [
        ("buyer", 200, "Mes marchés"),
        ("facilitator", 200, "Les marchés que je suis"),
        ("coordinator93", 200, "Marchés du territoire"),
        ("company", 200, "Les marchés de mon entreprise"),
    ],
)
def test_the_list_is_titled_for_each_role(client, world, who, status, title):
    log_in(client, world, who)
    response = client.get(LIST)
    assert response.status_code == status
    html = text(response)
    assert f"<h1>{title}</h1>" in html
    assert html.count("<h1") == 1


def test_anonymous_is_sent_to_login(client, world):
    market = world.market()
    for url in (LIST, f"/marches/{market.pk}/", "/marches/nouveau/", "/marches/import/"):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url


def test_a_partner_has_no_market_list(client, world):
    from tests.accounts.factories import OrganisationFactory

    login(client, MembershipFactory(organisation=OrganisationFactory(as_partner=True)))
    assert client.get(LIST).status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("buyer", 200),
        ("buyer75", 404),
        ("facilitator", 200),
        ("facilitator75", 404),
        ("coordinator93", 200),
        ("coordinator75", 404),
        ("company", 404),
    ],
)
def test_market_page_per_role(client, world, who, status):
    market = world.market()
    clause = insertion_clause(world, market)
    log_in(client, world, who)
    assert client.get(f"/marches/{market.pk}/").status_code == status
    assert client.get(f"/marches/clauses/{clause.pk}/").status_code == status
    assert client.get(f"/marches/clauses/{clause.pk}/clause.docx").status_code == status
    assert client.get(f"/marches/{market.pk}/modifier/").status_code in (status, 403)


def test_the_company_holding_a_lot_reads_the_market_but_cannot_change_it(client, world):
    market = world.market()
    LotContractor.objects.create(lot=market.lots.get(), organisation=world.company, role="holder")
    log_in(client, world, "company")
    assert client.get(f"/marches/{market.pk}/").status_code == 200
    assert client.get(f"/marches/{market.pk}/modifier/").status_code == 403
    assert client.get(f"/marches/{market.pk}/lots/ajouter/").status_code == 403


# ---------------------------------------------------------------------------------------
# Lists


def test_buyer_sees_only_its_markets(client, world):
    own = world.market()
    other = world.market(
        buyer=world.buyer75, communes=[], following_structure=world.s75, facilitator=None
    )
    log_in(client, world, "buyer")
    ids = market_ids(text(client.get(LIST)))
    assert own.pk in ids and other.pk not in ids


def test_filters_and_htmx_partial_give_the_same_rows(client, world):
    works = world.market(subject="Travaux de voirie")
    world.market(
        subject="Nettoyage des locaux",
        kind="services",
        cpv=None,
        estimated_amount_ht=Decimal(100_000),
    )
    insertion_clause(world, works)
    log_in(client, world, "coordinator93")
    for params, expected in [
        ({"cpv": "45"}, [works.pk]),
        ({"clause": "execution_condition"}, [works.pk]),
        ({"statut": "planned", "cpv": "452"}, [works.pk]),
        ({"statut": "closed"}, []),
    ]:
        full = text(client.get(LIST, params))
        partial = text(client.get(LIST, params, headers={"HX-Request": "true"}))
        assert "<h1" not in partial
        assert market_ids(full) == market_ids(partial) == expected, params
    assert len(market_ids(text(client.get(LIST, {"departement": "93"})))) == 2
    nothing = text(client.get(LIST, {"clause": "none"}))
    assert works.pk not in market_ids(nothing)


def test_the_coordination_sees_the_markets_missing_the_social_condition(client, world):
    missing = mandatory_market(world)
    ok = mandatory_market(world)
    insertion_clause(world, ok)
    world.market()  # under the threshold
    log_in(client, world, "coordinator93")
    html = text(client.get(LIST))
    assert "1 marché sans la condition sociale obligatoire" in html
    assert market_ids(text(client.get(LIST, {"sans_condition": "on"}))) == [missing.pk]


def test_list_queries_are_bounded(client, world, django_assert_max_num_queries):
    log_in(client, world, "coordinator93")
    for _ in range(3):
        insertion_clause(world, world.market())
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(16):
        client.get(LIST)
    for _ in range(15):
        world.market()
    with django_assert_max_num_queries(16):
        html = text(client.get(LIST, {"departement": "93"}))
    assert len(market_ids(html)) == 18


def test_the_list_is_paginated(client, world):
    for _ in range(22):
        world.market()
    log_in(client, world, "buyer")
    first = text(client.get(LIST))
    assert len(market_ids(first)) == 20 and "Page 1 sur 2" in first
    assert len(market_ids(text(client.get(LIST, {"page": 2})))) == 2


# ---------------------------------------------------------------------------------------
# A market's page and its forms


def test_market_page_shows_facts_lots_hours_and_how_they_were_obtained(client, world):
    market = world.market()
    insertion_clause(world, market)
    log_in(client, world, "facilitator")
    html = text(client.get(f"/marches/{market.pk}/"))
    assert html.count("<h1") == 1
    assert "Réhabilitation du groupe scolaire Pasteur" in html
    assert "833 heures d'insertion" in html
    assert "Articles L2112-2 et L2112-2-1 du Code de la commande publique" in html
    assert "arrondies à 833 heures" in html
    assert "mefsud77" in html
    assert "Non obligatoire" in html


def test_the_market_page_shows_its_decp_identifier(client, world):
    """#13.2: a market carries its DECP identifier, on its page too (not only the form)."""
    market = world.market()
    log_in(client, world, "buyer")
    html = text(client.get(f"/marches/{market.pk}/"))
    assert "Identifiant DECP" in html
    assert "Non renseigné" in html
    Market.objects.filter(pk=market.pk).update(decp_id="2026-ST-DENIS-0042")
    for who in ("buyer", "facilitator"):
        log_in(client, world, who)
        html = text(client.get(f"/marches/{market.pk}/"))
        assert "2026-ST-DENIS-0042" in html, who
        assert "Non renseigné" not in html, who


def test_mandatory_condition_asks_for_the_derogation_reason(client, world):
    market = mandatory_market(world)
    log_in(client, world, "buyer")
    html = text(client.get(f"/marches/{market.pk}/"))
    assert "Une condition d'exécution sociale est obligatoire" in html
    assert "5\u202f404\u202f000 € HT" in html or "5 404 000" in html
    assert "Motif de la dérogation" in html
    # Launching the consultation is refused, in French, on the page.
    response = client.post(f"/marches/{market.pk}/statut/", {"to": "in_consultation", "on": TODAY})
    assert response.status_code == 400
    assert "Ajoutez une clause d'insertion ou indiquez le motif de la dérogation" in text(response)
    # A reason too short, then a real one.
    response = client.post(f"/marches/{market.pk}/derogation/", {"derogation_reason": "non"})
    assert response.status_code == 400
    assert "au moins 10 caractères" in text(response)
    reason = "Besoin satisfait par une solution immédiatement disponible."
    response = client.post(f"/marches/{market.pk}/derogation/", {"derogation_reason": reason})
    assert response.status_code == 302
    response = client.post(f"/marches/{market.pk}/statut/", {"to": "in_consultation", "on": TODAY})
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.status == MarketStatus.IN_CONSULTATION


def test_buyer_creates_a_market_and_bad_input_is_explained_in_french(client, world):
    log_in(client, world, "buyer")
    assert client.get("/marches/nouveau/").status_code == 200
    response = client.post(
        "/marches/nouveau/",
        {
            "reference": "",
            "subject": "Voirie",
            "kind": "works",
            "cpv": "99999999",
            "estimated_amount_ht": "beaucoup",
            "communes": "93066, 00000",
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert 'id="resume-erreurs"' in html
    assert "Ce code CPV est inconnu" in html
    assert "n'est pas un nombre" in html
    assert "Code(s) INSEE inconnu(s) : 00000" in html
    assert not Market.objects.exists()
    response = client.post(
        "/marches/nouveau/",
        {
            "reference": "2026-VO-01",
            "subject": "Voirie",
            "kind": "works",
            "cpv": "45210000",
            "estimated_amount_ht": "1 200 000,00",
            "communes": "93066",
            "planned_publication_date": "2026-10-01",
        },
    )
    assert response.status_code == 302
    market = Market.objects.get()
    assert market.buyer == world.buyer and market.estimated_amount_ht == Decimal(1_200_000)
    assert response.url == f"/marches/{market.pk}/"
    # The same reference again: the service's error on the field.
    response = client.post(
        "/marches/nouveau/",
        {"reference": "2026-VO-01", "subject": "Voirie", "kind": "works"},
    )
    assert response.status_code == 400
    assert "déjà un marché avec cette référence" in text(response)


def test_facilitator_creates_a_market_for_a_buyer_of_its_departement(client, world):
    log_in(client, world, "facilitator")
    html = text(client.get("/marches/nouveau/"))
    assert "Ville de Saint-Denis (test)" in html and "Ville de Paris (test)" not in html
    response = client.post(
        "/marches/nouveau/",
        {
            "buyer": world.buyer.pk,
            "reference": "F-1",
            "subject": "Espaces verts",
            "kind": "services",
            "following_structure": world.s93.pk,
        },
    )
    assert response.status_code == 302
    assert Market.objects.get().buyer == world.buyer


def test_edit_market(client, world):
    market = world.market()
    log_in(client, world, "buyer")
    html = text(client.get(f"/marches/{market.pk}/modifier/"))
    assert 'value="1000000"' in html
    data = {
        "reference": market.reference,
        "subject": "Nouvel objet",
        "kind": "works",
        "estimated_amount_ht": "1 000 000",
        "communes": "93066",
    }
    assert client.post(f"/marches/{market.pk}/modifier/", data).status_code == 302
    market.refresh_from_db()
    assert market.subject == "Nouvel objet"
    log_in(client, world, "buyer75")
    assert client.get(f"/marches/{market.pk}/modifier/").status_code == 404


def test_add_a_lot_with_its_insertion_clause_from_the_calculator(client, world):
    market = world.market()
    log_in(client, world, "facilitator")
    assert client.get(f"/marches/{market.pk}/lots/ajouter/").status_code == 200
    response = client.post(
        f"/marches/{market.pk}/lots/ajouter/",
        {
            "number": "2",
            "title": "Peinture",
            "lot_amount": "1 000 000",
            "with_clause": "on",
            "preset": "batiment",
        },
    )
    assert response.status_code == 302
    lot = market.lots.get(number=2)
    clause = lot.considerations.get()
    assert clause.calculated_hours == 833 and clause.preset_code == "batiment"
    # Bad input: a labour share over 100 %, a number already taken.
    response = client.post(
        f"/marches/{market.pk}/lots/ajouter/",
        {
            "number": "2",
            "title": "Plâtrerie",
            "with_clause": "on",
            "preset": "batiment",
            "labour_share": "150",
        },
    )
    assert response.status_code == 400
    assert "inférieur ou égal à 100" in text(response)
    response = client.post(
        f"/marches/{market.pk}/lots/ajouter/", {"number": "2", "title": "Plâtrerie"}
    )
    assert response.status_code == 400
    assert "Le marché a déjà un lot n° 2" in text(response)
    # A preset with no amount anywhere: the calculator's French error.
    bare = world.market(estimated_amount_ht=None)
    response = client.post(
        f"/marches/{bare.pk}/lots/ajouter/",
        {"number": "2", "title": "Peinture", "with_clause": "on", "preset": "batiment"},
    )
    assert response.status_code == 400
    assert "obligatoire" in text(response)


def test_consideration_form(client, world):
    market = world.market()
    lot = market.lots.get()
    url = f"/marches/{market.pk}/lots/{lot.pk}/considerations/ajouter/"
    log_in(client, world, "buyer")
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "execution_condition", "hours_mode": "manual"})
    assert response.status_code == 400
    assert "Indiquez le nombre d'heures" in text(response)
    response = client.post(
        url,
        {
            "kind": "execution_condition",
            "hours_mode": "calculator",
            "preset": "proprete",
            "amount_ht": "900 000",
            "duration_months": "36",
            "transferred_staff_monthly_hours": "600",
            "eligible_publics": ["youth", "iae"],
            "modalities": ["etti"],
            "penalty_per_missing_hour": "50",
        },
    )
    assert response.status_code == 302
    clause = lot.considerations.get()
    assert clause.calculated_hours == 720 and clause.hours_method == "cleaning"
    edit = f"/marches/{market.pk}/lots/{lot.pk}/considerations/{clause.pk}/"
    html = text(client.get(edit))
    assert 'value="900000"' in html
    response = client.post(
        edit, {"hours_mode": "manual", "manual_hours": "500", "eligible_publics": ["youth"]}
    )
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.hours_target == 500 and clause.kind == "execution_condition"
    response = client.post(url, {"kind": "reserved_siae", "hours_mode": "none"})
    assert response.status_code == 302
    assert lot.considerations.count() == 2
    assert (
        client.post(f"/marches/{market.pk}/considerations/{clause.pk}/retirer/").status_code == 302
    )
    assert lot.considerations.count() == 1


def test_override_hours_is_the_facilitators_call_with_a_reason(client, world):
    market = world.market()
    clause = insertion_clause(world, market)
    url = f"/marches/{market.pk}/considerations/{clause.pk}/ajuster/"
    log_in(client, world, "buyer")
    assert client.get(url).status_code == 403
    log_in(client, world, "facilitator")
    assert client.get(url).status_code == 200
    response = client.post(url, {"hours_override": "700", "override_reason": "court"})
    assert response.status_code == 400
    assert "Motivez l'ajustement en au moins 10 caractères" in text(response)
    response = client.post(
        url, {"hours_override": "700", "override_reason": "Lot de plâtrerie peu qualifié."}
    )
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.hours_target == 700
    assert "(ajusté ; 833 heures calculées)" in text(client.get(f"/marches/{market.pk}/"))


def test_add_and_remove_a_contractor_by_siret(client, world):
    market = world.market()
    lot = market.lots.get()
    log_in(client, world, "buyer")
    url = f"/marches/{market.pk}/entreprises/"
    response = client.post(url, {"lot": lot.pk, "siret": "123", "role": "holder"})
    assert response.status_code == 400
    assert 'id="resume-erreurs"' in text(response)
    siret = valid_siret()
    response = client.post(
        url, {"lot": lot.pk, "siret": siret, "role": "holder", "name": "BTP Insertion"}
    )
    assert response.status_code == 302
    link = LotContractor.objects.get()
    assert link.organisation.siret == siret
    assert "BTP Insertion" in text(client.get(f"/marches/{market.pk}/"))
    response = client.post(f"/marches/{market.pk}/entreprises/{link.pk}/retirer/")
    assert response.status_code == 302
    assert not LotContractor.objects.exists()


def test_schedule_a_meeting_and_invite_the_facilitator(client, world, monkeypatch):
    monkeypatch.setattr(
        "clauses.markets.services.meetings.transaction.on_commit", lambda func, **kwargs: func()
    )
    market = world.market()
    log_in(client, world, "buyer")
    url = f"/marches/{market.pk}/reunions/"
    response = client.post(url, {"kind": "launch", "when": "demain"})
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "kind": "launch",
            "when": "2026-10-05T09:30",
            "location": "Mairie",
            "invite_facilitator": "on",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.facilitator_invited
    assert mail.outbox and mail.outbox[-1].to == ["camille.facile@exemple.fr"]
    response = client.post(url, {"kind": "site", "when": "2026-11-05T09:30"})
    assert response.status_code == 302
    second = Meeting.objects.get(kind="site")
    assert not second.facilitator_invited
    client.post(f"/marches/{market.pk}/reunions/{second.pk}/inviter/")
    second.refresh_from_db()
    assert second.facilitator_invited


def test_delete_only_by_the_buyer_while_planned(client, world):
    market = world.market()
    log_in(client, world, "facilitator")
    assert client.post(f"/marches/{market.pk}/supprimer/").status_code == 403
    log_in(client, world, "buyer")
    assert client.post(f"/marches/{market.pk}/supprimer/").status_code == 302
    assert not Market.objects.exists()


# ---------------------------------------------------------------------------------------
# Clause text and downloads


def test_clause_page_and_downloads(client, world):
    market = world.market()
    clause = insertion_clause(world, market)
    log_in(client, world, "buyer")
    html = text(client.get(f"/marches/clauses/{clause.pk}/"))
    assert html.count("<h1") == 1
    assert 'id="texte-clause"' in html and "au moins 833 heures" in html
    assert "markets/copy.js" in html and "<script>" not in html
    docx = client.get(f"/marches/clauses/{clause.pk}/clause.docx")
    assert docx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="clause-M-1-lot-1.docx"' in docx["Content-Disposition"]
    from docx import Document

    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert any("833 heures" in p for p in paragraphs)
    odt = client.get(f"/marches/clauses/{clause.pk}/clause.odt")
    assert odt["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert 'filename="clause-M-1-lot-1.odt"' in odt["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(odt.content)) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert "833 heures" in archive.read("content.xml").decode()


# ---------------------------------------------------------------------------------------
# Conversion of a desk request


def test_the_facilitator_confirms_before_a_desk_request_becomes_a_market(client, world):
    request = file_request(world)
    log_in(client, world, "facilitator")
    detail = text(client.get(f"/guichet/demandes/{request.reference}/"))
    assert "Convertir en marché" in detail
    # The desk's button (a POST without confirmation) shows what will be created.
    url = f"/marches/depuis-demande/{request.reference}/"
    for response in (client.post(url), client.get(url)):
        assert response.status_code == 200
        page = text(response)
        assert "Vérifiez ce qui sera créé" in page
        assert request.market_subject in page
        assert "Structure Saint-Denis" in page
        assert "Camille Facile" in page  # the structure's facilitator, to choose
        assert 'id="acheteur-prevu"' in page
    assert not Market.objects.exists()
    response = client.post(url, {"confirmer": "oui", "facilitator": world.facilitator.pk})
    market = Market.objects.get(desk_request=request)
    assert response.status_code == 302 and response.url == f"/marches/{market.pk}/"
    assert market.facilitator == world.facilitator
    page = text(client.get(response.url))
    assert f"La demande {request.reference} est devenue un marché" in page
    detail = text(client.get(f"/guichet/demandes/{request.reference}/"))
    assert "Voir le marché créé" in detail and "Convertir en marché" not in detail
    # A second conversion goes to the existing market with a French message.
    response = client.post(url, {"confirmer": "oui"})
    assert response.url == f"/marches/{market.pk}/"
    assert Market.objects.count() == 1


def test_conversion_refuses_a_facilitator_of_another_structure(client, world):
    request = file_request(world)
    log_in(client, world, "facilitator")
    other = Facilitator.objects.exclude(structure=world.s93).first() or Facilitator.objects.create(
        first_name="Autre", last_name="Personne", structure=world.s75
    )
    response = client.post(
        f"/marches/depuis-demande/{request.reference}/",
        {"confirmer": "oui", "facilitator": other.pk},
    )
    assert response.status_code == 400
    assert not Market.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("buyer", 404), ("facilitator75", 404)])
def test_others_cannot_convert_the_request(client, world, who, status):
    request = file_request(world)
    log_in(client, world, who)
    url = f"/marches/depuis-demande/{request.reference}/"
    assert client.post(url, {"confirmer": "oui"}).status_code == status
    assert client.get(url).status_code == status
    assert not Market.objects.exists()


def test_pages_have_unique_ids_and_no_inline_style(client, world):
    market = world.market()
    clause = insertion_clause(world, market)
    lot = market.lots.get()
    log_in(client, world, "facilitator")
    for url in (
        "/marches/calculateur/?preset=batiment&amount_ht=1000000",
        LIST,
        f"/marches/{market.pk}/",
        f"/marches/{market.pk}/lots/ajouter/",
        f"/marches/{market.pk}/lots/{lot.pk}/considerations/{clause.pk}/",
        f"/marches/clauses/{clause.pk}/",
        "/marches/import/",
        "/marches/nouveau/",
    ):
        html = client.get(url).content.decode()
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (url, sorted({i for i in ids if ids.count(i) > 1}))
        assert 'style="' not in html, url
        assert html.count("<h1") == 1, url
