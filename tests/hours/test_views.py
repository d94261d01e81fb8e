"""Pages: Mes clauses (form, upload, error table), Contrôle des heures, clause progress."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clauses.accounts.enums import Role
from clauses.hours.models import HourDeclaration
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.markets.conftest import organisation_of

pytestmark = pytest.mark.django_db


def log(client, organisation, role):  # noqa: ANN001, ANN201
    login(client, MembershipFactory(organisation=organisation, role=role))


def test_company_uploads_errors_then_good_file(client, hw):
    log(client, hw.company, Role.COMPANY_CONTACT)
    page = client.get(reverse("hours:my_clauses"))
    assert page.status_code == 200
    assert "<progress" in page.content.decode()
    assert client.get(reverse("hours:template", args=["xlsx"])).status_code == 200
    bad = SimpleUploadedFile(
        "h.csv", f"N° de mission;Mois;Heures\n{hw.assignment.pk};03/2026;999\n".encode()
    )
    response = client.post(reverse("hours:upload"), {"file": bad})
    assert response.status_code == 422
    assert "Erreurs du fichier" in response.content.decode()
    assert not HourDeclaration.objects.exists()
    good = SimpleUploadedFile(
        "h.csv", f"N° de mission;Mois;Heures\n{hw.assignment.pk};03/2026;120\n".encode()
    )
    assert client.post(reverse("hours:upload"), {"file": good}).status_code == 302
    assert HourDeclaration.objects.get().declared_hours == 120


def test_facilitator_controls_and_progress_moves(client, hw, django_assert_max_num_queries):
    from clauses.hours import services
    from tests.hours.conftest import TODAY

    declaration = services.declare_hours(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=date(2026, 3, 1),
        hours=120,
        today=TODAY,
    )
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("hours:control"))
    assert (
        page.status_code == 200 and f'data-declaration="{declaration.pk}"' in page.content.decode()
    )
    response = client.post(
        reverse("hours:control_one", args=[declaration.pk]), {"decision": "validate"}
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.counted_hours == 120
    clause = client.get(reverse("hours:clause", args=[hw.clause.pk])).content.decode()
    assert "120 h" in clause


def test_other_territory_and_company_get_404_or_403(client, hw):
    log(client, organisation_of(hw.base.s75), Role.FACILITATOR)
    assert client.get(reverse("hours:clause", args=[hw.clause.pk])).status_code == 404
    assert client.get(reverse("hours:my_clauses")).status_code == 403
    client.logout()
    log(client, hw.base.buyer, Role.BUYER_AGENT)
    assert client.get(reverse("hours:clause", args=[hw.clause.pk])).status_code == 200
    assert client.get(reverse("hours:control")).status_code == 403


def test_control_page_filters_by_market_and_company(client, hw):
    from clauses.hours import services
    from tests.hours.conftest import TODAY

    market2, lot2, _ = hw.new_market(company=hw.other_company, reference="M-AUTRE")
    other = hw.assign(hw.new_participant("Dana Autre"), lot2, company=hw.other_company)
    hw.validate(other.participant, date(2025, 9, 1))
    mine = services.declare_hours(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=date(2026, 3, 1),
        hours=120,
        today=TODAY,
    )
    theirs = services.declare_hours(
        actor=hw.actor("other_company"),
        assignment=other,
        month=date(2026, 3, 1),
        hours=80,
        today=TODAY,
    )
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    url = reverse("hours:control")
    page = client.get(url).content.decode()
    assert f'data-declaration="{mine.pk}"' in page and f'data-declaration="{theirs.pk}"' in page
    assert "M-AUTRE" in page and "Autre entreprise" in page  # offered as filters
    by_market = client.get(url, {"status": "submitted", "market": market2.pk}).content.decode()
    assert f'data-declaration="{theirs.pk}"' in by_market
    assert f'data-declaration="{mine.pk}"' not in by_market
    by_company = client.get(url, {"status": "", "company": hw.company.pk}).content.decode()
    assert f'data-declaration="{mine.pk}"' in by_company
    assert f'data-declaration="{theirs.pk}"' not in by_company


def test_operation_progress_is_labelled_with_the_operation_name(hw):
    from clauses.hours import selectors
    from clauses.markets.models import Market, Operation
    from clauses.territories.models import Department

    operation = Operation.objects.create(
        name="NPNRU des Francs-Moisins",
        kind="urban_renewal",
        department=Department.objects.get(code="93"),
    )
    Market.objects.filter(pk=hw.market.pk).update(operation=operation)
    group = selectors.operation_progress(hw.actor("facilitator"), operation.pk)
    assert group is not None and group.label == "NPNRU des Francs-Moisins"
