"""The permission matrix of desk requests, on the world of the access tests (every kind of
actor at home in Seine-Saint-Denis, 93; the "other" record in Paris, 75).

Letters: V(isible) T(ake charge) P (reply to the buyer) N(ote) A (reassign) C(lose)
B (reply as the buyer). "-" = refused.

- own request: targeted at the 93 structure (under the local coordination of 93), filed by
  the 93 buyer organisation;
- other request: targeted at the Paris structure, filed by the Paris buyer.
"""

import pytest

from clauses.access.actors import actor_for_token
from clauses.access.enums import TokenScope
from clauses.desk import policies
from clauses.desk.enums import TargetLevel
from clauses.desk.models import Request
from tests.access.conftest import ROLES, World, world  # noqa: F401 (the fixture)
from tests.access.factories import make_api_token
from tests.accounts.factories import valid_siret

CHECKS = {
    "T": policies.can_take_charge,
    "P": policies.can_reply,
    "N": policies.can_add_note,
    "A": policies.can_reassign,
    "C": policies.can_close,
    "B": policies.can_buyer_reply,
}

# fmt: off
EXPECTED = {
    #                             own        other
    "anonymous":                ("-------", "-------"),
    "buyer_agent":              ("V-----B", "-------"),
    "buyer_org_admin":          ("V-----B", "-------"),
    "company_contact":          ("-------", "-------"),
    "facilitator":              ("VTPN-C-", "-------"),
    "local_coordinator":        ("VTPNAC-", "-------"),
    "departmental_coordinator": ("VTPNAC-", "-------"),
    "regional_coordinator":     ("VTPNAC-", "VTPNAC-"),
    "national_coordinator":     ("-------", "-------"),
    "partner":                  ("-------", "-------"),
    "platform_admin":           ("VTPNAC-", "VTPNAC-"),
}
# fmt: on


def _request(structure, buyer) -> Request:  # noqa: ANN001
    return Request.objects.create(
        reference=f"GRCS-2026-{Request.objects.count() + 1:06d}",
        kind="facilitator_contact",
        buyer_organisation=buyer,
        buyer_name=buyer.name,
        buyer_siret=valid_siret(),
        contact_name="Camille Martin",
        contact_email="camille@exemple.fr",
        message="Bonjour",
        target_level=TargetLevel.STRUCTURE,
        target_structure=structure,
        routing_rule="single_structure",
        routing_reason="Test",
        follow_token_hash="0" * 64,
        first_response_due="2026-06-10",
    )


@pytest.fixture
def requests(world: World) -> dict[str, Request]:  # noqa: F811
    return {
        "own": _request(world.structures["own"], world.organisations["buyer93"]),
        "other": _request(world.structures["other"], world.organisations["buyer75"]),
    }


def _outcome(actor, request: Request) -> str:  # noqa: ANN001
    letters = ["V" if policies.visible_requests(actor).filter(pk=request.pk).exists() else "-"]
    letters += [letter if check(actor, request) else "-" for letter, check in CHECKS.items()]
    return "".join(letters)


def test_every_role_has_a_row():
    assert list(EXPECTED) == ROLES


@pytest.mark.parametrize("role", ROLES)
def test_request_policies(world: World, requests, role: str):  # noqa: F811
    actor = world.actor(role)
    outcome = (_outcome(actor, requests["own"]), _outcome(actor, requests["other"]))
    assert outcome == EXPECTED[role]


def test_the_person_in_charge_keeps_seeing_it(world: World, requests):  # noqa: F811
    actor = world.actor("facilitator")
    request = requests["other"]
    request.taken_by_id = actor.user_id
    request.save()
    assert _outcome(actor, request) == "VTPN-C-".replace("T", "-")


def test_a_read_only_token_only_reads(world: World, requests):  # noqa: F811
    organisation = world.memberships["departmental_coordinator"].organisation
    token, _raw = make_api_token(organisation, scope=TokenScope.READ)
    assert _outcome(actor_for_token(token), requests["own"]) == "V------"
    token, _raw = make_api_token(organisation, scope=TokenScope.READ_WRITE, name="rw")
    # A token never takes charge (no person to name) but may answer and reassign.
    assert _outcome(actor_for_token(token), requests["own"]) == "V-PNAC-"


def test_closed_requests_accept_notes_only(world: World, requests):  # noqa: F811
    request = requests["own"]
    request.status = "closed"
    request.outcome = "advice_given"
    request.closed_at = "2026-06-12T10:00:00+02:00"
    request.save()
    assert _outcome(world.actor("departmental_coordinator"), request) == "V--N---"
    assert _outcome(world.actor("buyer_agent"), request) == "V------"


def test_green_desk_and_national_targets_are_the_regional_desk_s(world: World, requests):  # noqa: F811
    request = requests["other"]
    request.target_structure = None
    request.target_level = TargetLevel.NATIONAL
    request.save()
    assert _outcome(world.actor("regional_coordinator"), request) == "VTPNAC-"
    assert _outcome(world.actor("departmental_coordinator"), request) == "-------"
    assert _outcome(world.actor("national_coordinator"), request) == "-------"
    assert policies.can_see_aggregates(world.actor("national_coordinator"))
    assert not policies.can_see_aggregates(world.actor("buyer_agent"))
