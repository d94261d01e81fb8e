"""Every address the README gives answers (#12.13): the sections' own addresses are index
pages listing what the section holds for the visitor."""

import re
from pathlib import Path

import pytest

from tests.access.conftest import World
from tests.access.helpers import login

pytestmark = pytest.mark.django_db

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
# Pages written `like/this/` in the README (no placeholder, no file name; the API's
# prefixes are prefixes, documented at /api/docs).
ADDRESSES = sorted(
    address
    for address in set(re.findall(r"`(/[a-z0-9/_-]*/)`", README))
    if address != "/admin/" and not address.startswith("/api/")
)


def test_the_readme_names_the_sections():
    assert {"/guichet/", "/suivi/", "/heures/"} <= set(ADDRESSES)


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_readme_address_answers_a_member(client, world: World, address: str):
    login(client, world.memberships["departmental_coordinator"])
    response = client.get(address)
    assert response.status_code in (200, 302), (address, response.status_code)


def test_the_desk_section_is_public_and_lists_its_public_pages(client):
    html = client.get("/guichet/").content.decode()
    assert "Guichet régional des clauses sociales" in html
    assert "Déposer une demande" in html
    assert "Recevoir un nouveau lien de suivi" in html


@pytest.mark.parametrize(
    ("role", "address", "present", "absent"),
    [
        ("company_contact", "/heures/", ["Mes clauses et mes heures"], ["Contrôle des heures"]),
        ("facilitator", "/heures/", ["Contrôle des heures"], ["Mes clauses et mes heures"]),
        ("facilitator", "/suivi/", ["Participants"], []),
        ("departmental_coordinator", "/acces/", ["Journal d&#x27;audit"], []),
        ("facilitator", "/guichet/", ["Demandes du guichet", "Déposer une demande"], []),
    ],
)
def test_a_section_lists_the_pages_of_the_role(client, world, role, address, present, absent):
    login(client, world.memberships[role])
    html = client.get(address).content.decode()
    for label in present:
        assert label in html, label
    for label in absent:
        assert label not in html, label


def test_the_access_section_answers_too(client, world: World):
    login(client, world.memberships["departmental_coordinator"])
    assert client.get("/acces/").status_code == 200


def test_private_sections_ask_to_log_in(client):
    for address in ("/suivi/", "/heures/", "/acces/"):
        response = client.get(address)
        assert response.status_code == 302
        assert "/compte/" in response["Location"]
