"""Field-by-field checks of a request, in French, and the abuse helpers."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clauses.desk import abuse
from clauses.desk.validation import clean_request_data
from tests.desk.conftest import request_data

pytestmark = pytest.mark.django_db


def errors_for(**overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        clean_request_data(request_data(**overrides))
    return error.value.message_dict


def test_valid_data_is_cleaned():
    clean = clean_request_data(
        request_data(
            buyer_siret=" 732 829 320 00074 ",
            contact_email="Camille.Martin@Ville-Test.FR",
            market_estimated_amount="1 250 000,50 €",
            execution_communes="93066, 93001; 69123",
            execution_departments=["1", "93"],
        )
    )
    assert clean.buyer_siret == "73282932000074"
    assert clean.contact_email == "camille.martin@ville-test.fr"
    assert clean.market_estimated_amount == Decimal("1250000.50")
    assert [c.insee for c in clean.communes] == ["93066", "93001"]
    assert [d.code for d in clean.departments] == ["93"]
    # Codes of other départements are places outside the region, not errors.
    assert clean.outside_places == ["69123", "01"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "urgent", "Objet de la demande : choisissez"),
        ("buyer_name", "", "Nom de l'acheteur : ce champ est obligatoire."),
        ("buyer_siret", "", "SIRET de l'acheteur : ce champ est obligatoire."),
        ("buyer_siret", "73282932000075", "clé de contrôle du SIRET est incorrecte"),
        ("buyer_siret", "7328293200007", "doit comporter 14 chiffres"),
        ("contact_name", "  ", "Nom du contact : ce champ est obligatoire."),
        ("contact_email", "camille@", "Adresse électronique : cette adresse n'est pas valide."),
        ("contact_phone", "appelez-moi", "Téléphone : seuls les chiffres"),
        ("message", "", "Message : ce champ est obligatoire."),
        ("message", "x" * 5001, "Message : 5000 caractères au plus"),
        ("execution_communes", ["93999"], "aucune commune n'a le code INSEE 93999"),
        ("execution_communes", ["99999"], "aucun département français"),
        ("execution_communes", ["Saint-Denis"], "n'est pas un code INSEE"),
        ("execution_communes", 93066, "une liste de codes INSEE est attendue"),
        ("execution_departments", ["100"], "n'est pas un code de département français"),
        ("region_wide", "parfois", "Toute la région : vrai ou faux attendu."),
        ("market_subject", "x" * 301, "Objet du marché : 300 caractères au plus"),
        ("market_cpv", "4500", "Code CPV : 8 chiffres attendus"),
        ("market_cpv", "99999999", "n'existe pas dans la nomenclature"),
        ("market_estimated_amount", "beaucoup", "un nombre est attendu"),
        ("market_estimated_amount", "-5", "un nombre positif est attendu"),
        ("market_estimated_amount", True, "un nombre est attendu"),
        ("market_planned_publication_date", "31/12/2026", "date invalide"),
        ("market_duration_months", "2.5", "un nombre entier de mois"),
        ("market_duration_months", 500, "entre 1 et 240 mois"),
    ],
)
def test_each_bad_field_gets_a_french_message(network, field, value, message):
    errors = errors_for(**{field: value})
    assert list(errors) == [field]
    assert any(message in m for m in errors[field]), errors


def test_too_many_communes(network, settings):
    settings.CLAUSES_DESK_MAX_COMMUNES = 2
    errors = errors_for(execution_communes=["93066", "93001", "93048"])
    assert "2 communes au plus" in errors["execution_communes"][0]


def test_cpv_with_check_digit_is_accepted(network):
    assert clean_request_data(request_data(market_cpv="45000000-7")).market_cpv.code8 == "45000000"


def test_honeypot():
    abuse.check_honeypot("")
    abuse.check_honeypot(None)
    with pytest.raises(ValidationError):
        abuse.check_honeypot("https://spam.example")
