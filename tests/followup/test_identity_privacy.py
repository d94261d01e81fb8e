"""#11.7 — recording a person by hand never writes through a record the actor cannot see,
and the answer never tells whether the person is followed by another structure.

Matrix: where the same person (same identity key) is already known in the département ×
who records them. A record the actor sees (its structure's, or another structure's it
validated) is reused and completed; a record it does not see is left untouched and the
actor gets a new record of its own, with the answer a brand-new person gets."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clauses.followup import policies, services
from clauses.followup.identity import identity_key
from clauses.followup.models import EligibilityValidation, Participant
from clauses.territories.models import Department
from tests.followup.conftest import D
from tests.followup.test_views import login_as
from tests.network.factories import FacilitatorStructureFactory

pytestmark = pytest.mark.django_db

NAME = {"first_name": "Inès", "last_name": "Manuel"}


def _known(fw, where: str) -> Participant | None:
    """The person already recorded, year of birth only, no QPV answer: in the actor's own
    structure, in another structure of the département the actor validated (it sees it),
    in another structure with no link to the actor (hidden), or nowhere."""
    if where == "nowhere":
        return None
    structure = (
        fw.base.s93 if where == "own" else FacilitatorStructureFactory(name="Structure Voisine")
    )
    participant = Participant.objects.create(
        **NAME,
        birth_year=1994,
        structure=structure,
        department=Department.objects.get(code="93"),
        identity_key=identity_key(**NAME, birth_year=1994),
    )
    if where == "validated":
        EligibilityValidation.objects.create(
            participant=participant,
            structure=fw.base.s93,
            validated_by_id=fw.actor("facilitator").user_id,
            derogation=True,
            prescriber_opinion="Avis motivé",
        )
    return participant


MATRIX = [
    # where the person is known, does the facilitator of s93 see it, reused?
    ("nowhere", False, False),
    ("own", True, True),
    ("validated", True, True),
    ("hidden", False, False),
]


@pytest.mark.parametrize(("where", "visible", "reused"), MATRIX)
def test_service_writes_only_through_a_visible_record(fw, where, visible, reused):
    known = _known(fw, where)
    actor = fw.actor("facilitator")
    if known is not None:
        assert policies.visible_participants(actor).filter(pk=known.pk).exists() is visible
    participant, created = services.create_participant(
        actor=actor,
        structure=fw.base.s93,
        **NAME,
        birth_date=D(1994, 6, 1),  # another detail than the record holds
        qpv_resident=True,
    )
    assert created is not reused
    assert policies.visible_participants(actor).filter(pk=participant.pk).exists()
    if reused:
        assert participant.pk == known.pk
        known.refresh_from_db()
        assert known.qpv_resident is True and known.birth_date == D(1994, 6, 1)
    else:
        assert participant.structure == fw.base.s93 and participant.qpv_resident is True
    if where == "hidden":
        known.refresh_from_db()
        assert participant.pk != known.pk
        # the hidden record is exactly as it was
        assert (known.birth_date, known.qpv_resident) == (None, None)
        assert known.identity_key == identity_key(**NAME, birth_year=1994)


def test_a_hidden_record_with_the_very_same_key_gives_a_record_of_ones_own(fw):
    known = _known(fw, "hidden")
    participant, created = services.create_participant(
        actor=fw.actor("facilitator"), structure=fw.base.s93, **NAME, birth_year=1994
    )
    assert created and participant.pk != known.pk
    # both records keep the key: the hours of one person stay one person's (monthly ceiling)
    assert participant.identity_key == known.identity_key
    # recording again in the actor's structure reuses its own record, never the hidden one
    again, created = services.create_participant(
        actor=fw.actor("facilitator"), structure=fw.base.s93, **NAME, birth_year=1994
    )
    assert not created and again.pk == participant.pk


def _answer(client, fw, where: str) -> tuple[str, list[str], bool]:
    """What the facilitator is told: the page it lands on (the new record, or the reused
    one), the messages; and whether that page is a record of its own structure."""
    _known(fw, where)
    login_as(client, fw, "facilitator")
    response = client.post(
        reverse("followup:participant_create"),
        {**NAME, "birth_date": "1994-06-01", "gender": "female", "qpv_resident": "true"},
    )
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    landed = Participant.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    return response.url, messages, landed.structure_id == fw.base.s93.pk


@pytest.mark.parametrize("where", ["nowhere", "hidden"])
def test_page_answers_the_same_whether_or_not_followed_elsewhere(client, fw, where):
    url, messages, own = _answer(client, fw, where)
    assert own
    assert messages == ["Inès Manuel est enregistré·e."]
    hidden = Participant.objects.exclude(structure=fw.base.s93).first()
    if hidden is not None:
        assert f"/{hidden.pk}/" not in url
        hidden.refresh_from_db()
        assert hidden.qpv_resident is None and hidden.birth_date is None


def test_page_reuses_a_record_the_facilitator_sees(client, fw):
    url, messages, own = _answer(client, fw, "validated")
    assert not own  # the other structure's record, which the facilitator validated
    assert "Aucun doublon" in messages[0]
