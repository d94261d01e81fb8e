"""Pages of the desk: the public form, its confirmation, the private follow page."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clauses.desk import services
from clauses.desk.enums import MessageKind, RequestKind, TargetLevel
from clauses.desk.models import Message, Request
from tests.accounts.factories import MembershipFactory, OrganisationFactory, valid_siret
from tests.desk.conftest import actor_for, at, request_data
from tests.desk.test_views_helpers import login

FORM_URL = "/guichet/demande/"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import cache

    cache.clear()


def form_data(**overrides: object) -> dict:
    data = {
        "organisation_name": "Ville de Saint-Denis",
        "siret": valid_siret(),
        "contact_name": "Camille Martin",
        "contact_email": "camille.martin@ville-test.fr",
        "contact_phone": "01 49 33 00 00",
        "kind": RequestKind.FACILITATOR_CONTACT,
        "market_subject": "Réhabilitation du groupe scolaire Pasteur",
        "cpv": "45000000",
        "estimated_amount": "1200000",
        "planned_publication": "2026-09-15",
        "duration_months": "18",
        "communes": ["93066"],
        "communes_text": "",
        "message": "Nous souhaitons une clause d'insertion dans ce marché de travaux.",
        "site_web": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------------------------------
# The form


def test_form_page_is_public_and_shows_the_good_practice(client, db):
    response = client.get(FORM_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Contactez le facilitateur avant la publication" in html
    assert 'name="site_web"' in html and 'tabindex="-1"' in html and 'aria-hidden="true"' in html
    assert "guichet vert" in html  # the environmental kind explains where it goes
    assert "Formats acceptés : PDF, XLSX, ODS, DOCX, ODT, CSV" in html


def test_commune_is_prefilled_from_the_query_string(client, db):
    response = client.get(FORM_URL, {"commune": "93066"})

    form = response.context["form"]
    assert form["communes"].value() == ["93066"]
    assert re.search(r'id="commune-93066"\s+checked', response.content.decode())


def test_logged_in_buyer_agent_gets_organisation_and_contact(client, db):
    organisation = OrganisationFactory(as_buyer=True, name="Ville de Bobigny")
    membership = MembershipFactory(organisation=organisation, user__phone="01 02 03 04 05")
    login(client, membership)

    form = client.get(FORM_URL).context["form"]

    assert form["organisation_name"].value() == "Ville de Bobigny"
    assert form["siret"].value() == organisation.siret
    assert form["contact_email"].value() == membership.user.email
    assert form["contact_phone"].value() == "01 02 03 04 05"


def test_happy_path_files_routes_emails_and_confirms(
    client, network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # emails leave on commit
        response = client.post(FORM_URL, form_data())

    desk_request = Request.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("desk:confirmation", args=[desk_request.reference])
    assert desk_request.target_structure == network.plaine
    assert desk_request.market_cpv.code8 == "45000000"
    assert [c.insee for c in desk_request.execution_communes.all()] == ["93066"]
    sent = [(m.subject, m.to) for m in mail.outbox]
    assert any(desk_request.reference in m.subject for m in mail.outbox), sent
    assert any("camille.martin@ville-test.fr" in m.to for m in mail.outbox), sent

    page = client.get(response.url)
    html = page.content.decode()
    assert desk_request.reference in html
    assert re.match(r"GRCS-\d{4}-\d{6}", desk_request.reference)
    assert "Structure Plaine Commune" in html
    assert desk_request.routing_reason.replace("'", "&#x27;") in html
    assert "jours ouvrés" in html
    follow_link = re.search(r'href="(/guichet/suivi/[^"]+)"', html).group(1)
    assert client.get(follow_link.replace("&amp;", "&")).status_code == 200


def test_communes_typed_without_javascript_are_resolved(client, network):
    client.post(FORM_URL, form_data(communes=None, communes_text="Aubervilliers, 93066"))

    desk_request = Request.objects.get()
    assert sorted(c.insee for c in desk_request.execution_communes.all()) == ["93001", "93066"]


def test_environmental_request_goes_to_the_green_desk(client, network):
    client.post(FORM_URL, form_data(kind=RequestKind.ENVIRONMENTAL))

    assert Request.objects.get().target_level == TargetLevel.GREEN_DESK


def test_whole_departments_and_region(client, network):
    from clauses.territories.models import Department

    ids = [str(d.pk) for d in Department.objects.filter(code__in=["75", "93"])]
    client.post(FORM_URL, form_data(communes=None, departments=ids))

    desk_request = Request.objects.get()
    assert desk_request.target_level == TargetLevel.REGIONAL
    assert sorted(d.code for d in desk_request.execution_departments.all()) == ["75", "93"]


def test_confirmation_needs_the_session_of_the_filer(client, network):
    client.post(FORM_URL, form_data())
    reference = Request.objects.get().reference
    client.cookies.clear()

    assert client.get(reverse("desk:confirmation", args=[reference])).status_code == 404


BAD_INPUTS = [
    ("organisation_name", "", "Ce champ est obligatoire"),
    ("siret", "123", "14 chiffres"),
    ("siret", "12345678901234", "clé de contrôle"),
    ("contact_name", "", "Ce champ est obligatoire"),
    ("contact_email", "pas-une-adresse", "adresse électronique valide"),
    ("contact_phone", "appelez-moi", "numéro de téléphone"),
    ("kind", "", "Choisissez l'objet de votre demande"),
    ("kind", "n_importe_quoi", "Sélectionnez un choix valide"),
    ("cpv", "travaux", "8 chiffres"),
    ("cpv", "99999999", "n'existe pas"),
    ("estimated_amount", "beaucoup", "montant en euros"),
    ("estimated_amount", "-5", "négatif"),
    ("planned_publication", "demain", "date valide"),
    ("duration_months", "0", "supérieure ou égale à 1"),
    ("duration_months", "deux ans", "durée en mois"),
    ("communes", ["99999"], "n'existe pas"),
    ("communes_text", "Zzzzville", "Nous ne trouvons pas la commune"),
    ("communes_text", "Saint", "Vouliez-vous dire"),
    ("message", "", "Ce champ est obligatoire"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_bad_input_rerenders_with_a_french_error_and_keeps_values(
    client, network, field, value, message
):
    data = form_data(**{field: value})
    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert not Request.objects.exists()
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert any(message in error for error in form.errors[field]), form.errors[field]
    html = response.content.decode()
    assert 'id="resume-erreurs"' in html  # the summary at the top, with a link to the field
    assert "Erreur : " in html.split("</title>")[0]
    # What was typed is kept.
    assert 'value="Camille Martin"' in html or field == "contact_name"
    assert "Nous souhaitons une clause" in html or field == "message"


def test_error_summary_links_to_the_fields_and_errors_are_described(client, network):
    html = client.post(FORM_URL, form_data(siret="123", kind="")).content.decode()

    assert 'href="#id_siret"' in html
    assert 'href="#id_kind_0"' in html
    assert re.search(
        r'aria-describedby="id_siret_helptext id_siret-desc-error"[^>]*id="id_siret"', html
    )


def test_a_rejected_submission_with_files_says_to_select_them_again(client, network):
    upload = SimpleUploadedFile("cahier.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(FORM_URL, {**form_data(siret="123"), "attachments": [upload]})

    assert "sélectionnez-les à nouveau" in response.content.decode()


def test_attachments_are_checked_by_content(client, network):
    fake = SimpleUploadedFile("devis.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(FORM_URL, {**form_data(), "attachments": [fake]})

    assert not Request.objects.exists()
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "n'est pas un fichier accepté" in errors


def test_attachments_are_stored(client, network):
    upload = SimpleUploadedFile("cahier.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(FORM_URL, {**form_data(), "attachments": [upload]})

    assert Request.objects.get().attachments.get().original_name == "cahier.pdf"


def test_honeypot_refuses_with_a_neutral_message(client, network):
    response = client.post(FORM_URL, form_data(site_web="http://spam.example"))

    assert response.status_code == 200
    assert not Request.objects.exists()
    assert "pas pu être enregistrée" in response.content.decode()


def test_rate_limit_by_email_is_explained(client, network, settings):
    settings.CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY = 1
    client.post(FORM_URL, form_data())
    response = client.post(FORM_URL, form_data())

    assert Request.objects.count() == 1
    assert "Trop de demandes" in response.content.decode()


# ---------------------------------------------------------------------------------------
# Autocomplete partials


def test_commune_suggestions_offer_buttons_to_add(client, db):
    html = client.get(reverse("desk:commune_suggestions"), {"communes_text": "aubervil"}).content
    html = html.decode()

    assert "Aubervilliers (93)" in html
    assert "/guichet/communes/ajouter/?insee=93001" in html


def test_commune_chip_returns_a_checked_box_and_empties_the_search(client, db):
    html = client.get(reverse("desk:commune_chip"), {"insee": "93001"}).content.decode()

    assert 'name="communes"' in html and 'value="93001"' in html and "checked" in html
    assert 'id="id_communes_text"' in html and 'hx-swap-oob="true"' in html
    assert "Aubervilliers (93) ajoutée" in html


def test_cpv_suggestions_come_from_the_shared_territories_search(client, db):
    form_html = client.get(reverse("desk:request_form")).content.decode()
    assert reverse("territories:cpv_search") in form_html
    by_code = client.get(reverse("territories:cpv_search"), {"cpv": "4500"}).content.decode()
    by_word = client.get(reverse("territories:cpv_search"), {"cpv": "travaux"}).content.decode()

    assert 'value="45000000 – ' in by_code
    assert "<option" in by_word


# ---------------------------------------------------------------------------------------
# The private follow page


@pytest.fixture
def filed(network):
    return services.file_request(data=request_data(), now=at(2026, 11, 2))


def follow_url(filed, token: str | None = None) -> str:
    path = reverse("desk:follow", args=[filed.request.reference])
    return f"{path}?jeton={token or filed.raw_follow_token}"


def test_follow_page_shows_status_handler_and_exchange_without_notes(client, filed, network):
    facilitator = actor_for(network.plaine)
    services.reply(actor=facilitator, desk_request=filed.request, body="Bonjour, je vous appelle.")
    services.add_internal_note(
        actor=facilitator, desk_request=filed.request, body="Acheteur déjà connu, secret."
    )

    response = client.get(follow_url(filed))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Structure Plaine Commune" in html
    assert "En attente de l&#x27;acheteur" in html
    assert "Bonjour, je vous appelle." in html
    assert "secret" not in html


def test_wrong_token_is_404(client, filed):
    assert client.get(follow_url(filed, token="faux")).status_code == 404
    assert client.get(reverse("desk:follow", args=[filed.request.reference])).status_code == 404


def test_buyer_answers_from_the_follow_page(client, filed):
    response = client.post(follow_url(filed), {"body": "Voici le planning.", "site_web": ""})

    assert response.status_code == 302
    message = Message.objects.get(request=filed.request)
    assert message.kind == MessageKind.FROM_BUYER and message.body == "Voici le planning."


def test_empty_buyer_answer_is_refused_in_french(client, filed):
    response = client.post(follow_url(filed), {"body": "", "site_web": ""})

    assert "Écrivez votre message" in response.content.decode()
    assert not Message.objects.exists()


def test_follow_attachment_needs_the_token(client, network):
    filed = services.file_request(
        data=request_data(), attachments=[("plan.pdf", b"%PDF-1.4 plan")], now=at(2026, 11, 2)
    )
    attachment = filed.request.attachments.get()
    path = reverse("desk:follow_attachment", args=[filed.request.reference, attachment.pk])

    assert client.get(f"{path}?jeton=faux").status_code == 404
    response = client.get(f"{path}?jeton={filed.raw_follow_token}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
