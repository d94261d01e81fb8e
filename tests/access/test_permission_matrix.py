"""The permission matrix: every kind of actor × every kind of record × every action.

Read each table as: for this actor, on its OWN record of this kind (its organisation, a
colleague's membership, a structure of its territory (93), an audit event of its territory,
a token of its organisation) and on the OTHER one (the same kind of record in Paris, 75,
outside its territory), which of  L(ist) R(ead) C(reate) U(pdate) D(elete)  are allowed.
A letter = allowed, "-" = refused, "·" = no such action exists for this kind of record.

The policy functions are checked first (the single source); then the pages and the API,
which must agree with them: a refused read answers 404, never the data.

To extend it (a later issue adds markets, participants…): add a `RecordKind` to `KINDS`
with how to find the own/other record and which policy answers each action, and its table
to `EXPECTED`. Add a role to `tests/access/conftest.py::ROLES` and a row to every table.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import Model, QuerySet
from django.urls import reverse

from clauses.access import policies
from clauses.access.actors import Actor, actor_for_membership
from clauses.access.enums import TokenScope
from clauses.network.models import FacilitatorStructure
from clauses.observatory import policies as observatory_policies
from tests.access.conftest import ROLES, World
from tests.access.factories import make_api_token
from tests.access.helpers import login
from tests.followup import matrix as followup_matrix
from tests.hours import matrix as hours_matrix
from tests.markets import matrix as markets_matrix
from tests.notifications import matrix as notifications_matrix
from tests.observatory import matrix as observatory_matrix
from tests.programme import matrix as programme_matrix
from tests.reporting import matrix as reporting_matrix

ACTIONS = "LRCUD"


@dataclass(frozen=True)
class RecordKind:
    name: str
    own: Callable[[World, str], Model]
    other: Callable[[World, str], Model]
    visible: Callable[[Actor], QuerySet]
    # action letter (C, U, D) -> policy; None = no such action for this kind of record
    can: dict[str, Callable[[Actor, Model], bool] | None]


def _own_org(w: World, role: str) -> Model:
    return w.own_organisation(role)


def _other_org(w: World, role: str) -> Model:
    return w.other_organisation(role)


def _new_structure_under(actor: Actor, structure: FacilitatorStructure) -> bool:
    return policies.can_edit_network(
        actor, FacilitatorStructure(coordination=structure.coordination)
    )


KINDS = {
    "organisation": RecordKind(
        name="organisation",
        own=_own_org,
        other=_other_org,
        visible=policies.visible_organisations,
        can={"C": None, "U": policies.can_update_organisation, "D": None},
    ),
    "membership": RecordKind(
        name="membership",
        own=lambda w, role: w.colleagues[w.own_organisation(role).pk],
        other=lambda w, role: w.colleagues[w.other_organisation(role).pk],
        visible=policies.visible_memberships,
        can={
            "C": lambda a, m: policies.can_manage_members(a, m.organisation),
            "U": lambda a, m: policies.can_manage_members(a, m.organisation),
            "D": lambda a, m: policies.can_manage_members(a, m.organisation),
        },
    ),
    "structure": RecordKind(
        name="structure",
        own=lambda w, role: w.structures["own"],
        other=lambda w, role: w.structures["other"],
        visible=policies.visible_structures,
        can={
            "C": _new_structure_under,
            "U": policies.can_edit_network,
            "D": policies.can_edit_network,
        },
    ),
    "audit_event": RecordKind(
        name="audit_event",
        own=lambda w, role: w.events["own"],
        other=lambda w, role: w.events["other"],
        visible=policies.visible_audit_events,
        # Written by services only, never changed nor deleted (append-only).
        can={"C": None, "U": None, "D": None},
    ),
    "api_token": RecordKind(
        name="api_token",
        own=lambda w, role: w.tokens[w.own_organisation(role).pk],
        other=lambda w, role: w.tokens[w.other_organisation(role).pk],
        visible=policies.visible_api_tokens,
        can={
            "C": lambda a, t: policies.can_create_token(a, t.organisation),
            "U": None,  # a token never changes; revoke it and create another
            "D": policies.can_revoke_token,  # delete = revoke
        },
    ),
}

# Procurement (clauses.markets.policies): the world's market in Saint-Denis (own) and in
# Paris (other), its insertion clause and its launch meeting; see tests/markets/matrix.py.
for _name, _visible in (
    ("market", markets_matrix.policies.visible_markets),
    ("clause", markets_matrix.policies.visible_considerations),
    ("meeting", markets_matrix.policies.visible_meetings),
):
    KINDS[_name] = RecordKind(
        name=_name,
        own=lambda w, role, n=_name: markets_matrix.record(w, "own", n),
        other=lambda w, role, n=_name: markets_matrix.record(w, "other", n),
        visible=_visible,
        can={
            "C": markets_matrix.can_create,
            "U": markets_matrix.can_change,
            "D": markets_matrix.can_delete,
        },
    )

# Observatory (clauses.observatory.policies): a published contract (DECP) of Seine-Saint-Denis
# (own) and of Paris (other): public data read by the network only, written by imports only.
KINDS["published_contract"] = RecordKind(
    name="published_contract",
    own=lambda w, role: observatory_matrix.record(w, "own"),
    other=lambda w, role: observatory_matrix.record(w, "other"),
    visible=observatory_policies.visible_published_contracts,
    can={"C": None, "U": None, "D": None},
)

# Follow-up (clauses.followup.policies): a participant of the 93 structure working for
# company93 on the own market, with a validation; the other one in Paris. Participant:
# C = record one for its structure, U = validate its eligibility (the facilitator decides),
# no deletion (anonymisation only). Validation: C = validate, D = withdraw.
KINDS["participant"] = RecordKind(
    name="participant",
    own=lambda w, role: followup_matrix.record(w, "own", "participant"),
    other=lambda w, role: followup_matrix.record(w, "other", "participant"),
    visible=followup_matrix.policies.visible_participants,
    can={
        "C": followup_matrix.can_create_participant,
        "U": followup_matrix.can_validate,
        "D": None,
    },
)
KINDS["validation"] = RecordKind(
    name="validation",
    own=lambda w, role: followup_matrix.record(w, "own", "validation"),
    other=lambda w, role: followup_matrix.record(w, "other", "validation"),
    visible=followup_matrix.policies.visible_validations,
    can={"C": followup_matrix.can_validate, "U": None, "D": followup_matrix.can_validate},
)

# Hours (clauses.hours.policies): a declaration of April 2026 on the own assignment
# (company93, Saint-Denis market) and on the other one (company75, Paris). C = declare for
# that assignment (its employer only), U = control it (validate, refuse, ask for a fix),
# no deletion (a declaration is refused, never deleted).
KINDS["declaration"] = RecordKind(
    name="declaration",
    own=lambda w, role: hours_matrix.record(w, "own"),
    other=lambda w, role: hours_matrix.record(w, "other"),
    visible=hours_matrix.policies.visible_declarations,
    can={"C": hours_matrix.can_declare, "U": hours_matrix.can_control, "D": None},
)

# Procurement programmes (clauses.programme.policies): buyer93's programme (own) and
# buyer75's (other); C = upload one for that buyer, U = review it, D = delete it. See
# tests/programme/matrix.py.
KINDS["programme"] = RecordKind(
    name="programme",
    own=lambda w, role: programme_matrix.record(w, "own"),
    other=lambda w, role: programme_matrix.record(w, "other"),
    visible=programme_matrix.visible,
    can={
        "C": programme_matrix.can_create,
        "U": programme_matrix.can_review,
        "D": programme_matrix.can_delete,
    },
)

# Notifications (clauses.notifications.policies): one waiting for the actor (own) and one
# waiting for a colleague of its organisation (other). U = mark as read. See
# tests/notifications/matrix.py.
KINDS["notification"] = RecordKind(
    name="notification",
    own=lambda w, role: notifications_matrix.record(w, role, "own"),
    other=lambda w, role: notifications_matrix.record(w, role, "other"),
    visible=notifications_matrix.visible,
    can={"C": None, "U": notifications_matrix.can_mark_read, "D": None},
)

# fmt: off
EXPECTED = {
    #                             own      other
    "organisation": {
        "anonymous":                ("--·-·", "--·-·"),
        "buyer_agent":              ("LR·-·", "--·-·"),
        "buyer_org_admin":          ("LR·U·", "--·-·"),
        "company_contact":          ("LR·-·", "--·-·"),
        "facilitator":              ("LR·-·", "--·-·"),
        "local_coordinator":        ("LR·-·", "--·-·"),
        "departmental_coordinator": ("LR·-·", "--·-·"),
        "regional_coordinator":     ("LR·-·", "LR·-·"),
        "national_coordinator":     ("LR·-·", "--·-·"),
        "partner":                  ("LR·-·", "--·-·"),
        "platform_admin":           ("LR·U·", "LR·U·"),
    },
    "membership": {
        "anonymous":                ("-----", "-----"),
        "buyer_agent":              ("LR---", "-----"),
        "buyer_org_admin":          ("LRCUD", "-----"),
        "company_contact":          ("LR---", "-----"),
        "facilitator":              ("LR---", "-----"),
        "local_coordinator":        ("LR---", "-----"),
        "departmental_coordinator": ("LR---", "-----"),
        "regional_coordinator":     ("LR---", "LRCUD"),
        "national_coordinator":     ("LR---", "-----"),
        "partner":                  ("LR---", "-----"),
        "platform_admin":           ("LRCUD", "LRCUD"),
    },
    "structure": {
        "anonymous":                ("-----", "-----"),
        "buyer_agent":              ("-----", "-----"),
        "buyer_org_admin":          ("-----", "-----"),
        "company_contact":          ("-----", "-----"),
        "facilitator":              ("LR---", "-----"),
        "local_coordinator":        ("LR---", "-----"),
        "departmental_coordinator": ("LRCUD", "-----"),
        "regional_coordinator":     ("LRCUD", "LRCUD"),
        "national_coordinator":     ("-----", "-----"),
        "partner":                  ("-----", "-----"),
        "platform_admin":           ("LRCUD", "LRCUD"),
    },
    "audit_event": {
        "anonymous":                ("--···", "--···"),
        "buyer_agent":              ("--···", "--···"),
        "buyer_org_admin":          ("--···", "--···"),
        "company_contact":          ("--···", "--···"),
        "facilitator":              ("--···", "--···"),
        "local_coordinator":        ("LR···", "--···"),
        "departmental_coordinator": ("LR···", "--···"),
        "regional_coordinator":     ("LR···", "LR···"),
        "national_coordinator":     ("--···", "--···"),
        "partner":                  ("--···", "--···"),
        "platform_admin":           ("LR···", "LR···"),
    },
    "api_token": {
        "anonymous":                ("---·-", "---·-"),
        "buyer_agent":              ("---·-", "---·-"),
        "buyer_org_admin":          ("LRC·D", "---·-"),
        "company_contact":          ("---·-", "---·-"),
        "facilitator":              ("---·-", "---·-"),
        "local_coordinator":        ("---·-", "---·-"),
        "departmental_coordinator": ("---·-", "---·-"),
        "regional_coordinator":     ("---·-", "---·-"),
        "national_coordinator":     ("---·-", "---·-"),
        "partner":                  ("---·-", "---·-"),
        "platform_admin":           ("LR-·D", "LR-·D"),
    },
    # A market: C = create one for its buyer, D = delete it (planned, buyer side only).
    "published_contract": {
        "anonymous":                ("--···", "--···"),
        "buyer_agent":              ("--···", "--···"),
        "buyer_org_admin":          ("--···", "--···"),
        "company_contact":          ("--···", "--···"),
        "facilitator":              ("LR···", "LR···"),
        "local_coordinator":        ("LR···", "LR···"),
        "departmental_coordinator": ("LR···", "LR···"),
        "regional_coordinator":     ("LR···", "LR···"),
        "national_coordinator":     ("LR···", "LR···"),
        "partner":                  ("--···", "--···"),
        "platform_admin":           ("LR···", "LR···"),
    },
    "market": {
        "anonymous":                ("-----", "-----"),
        "buyer_agent":              ("LRCUD", "-----"),
        "buyer_org_admin":          ("LRCUD", "-----"),
        "company_contact":          ("LR---", "-----"),
        "facilitator":              ("LRCU-", "-----"),
        "local_coordinator":        ("LRCU-", "-----"),
        "departmental_coordinator": ("LRCU-", "-----"),
        "regional_coordinator":     ("LRCU-", "LRCU-"),
        "national_coordinator":     ("-----", "-----"),
        "partner":                  ("-----", "-----"),
        "platform_admin":           ("LRCUD", "LRCUD"),
    },
    "clause": {
        "anonymous":                ("-----", "-----"),
        "buyer_agent":              ("LRCUD", "-----"),
        "buyer_org_admin":          ("LRCUD", "-----"),
        "company_contact":          ("LR---", "-----"),
        "facilitator":              ("LRCUD", "-----"),
        "local_coordinator":        ("LRCUD", "-----"),
        "departmental_coordinator": ("LRCUD", "-----"),
        "regional_coordinator":     ("LRCUD", "LRCUD"),
        "national_coordinator":     ("-----", "-----"),
        "partner":                  ("-----", "-----"),
        "platform_admin":           ("LRCUD", "LRCUD"),
    },
    "meeting": {
        "anonymous":                ("-----", "-----"),
        "buyer_agent":              ("LRCUD", "-----"),
        "buyer_org_admin":          ("LRCUD", "-----"),
        "company_contact":          ("LR---", "-----"),
        "facilitator":              ("LRCUD", "-----"),
        "local_coordinator":        ("LRCUD", "-----"),
        "departmental_coordinator": ("LRCUD", "-----"),
        "regional_coordinator":     ("LRCUD", "LRCUD"),
        "national_coordinator":     ("-----", "-----"),
        "partner":                  ("-----", "-----"),
        "platform_admin":           ("LRCUD", "LRCUD"),
    },
    # A company sees the names of the people of its own assignments (never a validation);
    # a buyer, a partner, the national coordination and platform administrators: none.
    "participant": {
        "anonymous":                ("----·", "----·"),
        "buyer_agent":              ("----·", "----·"),
        "buyer_org_admin":          ("----·", "----·"),
        "company_contact":          ("LR--·", "----·"),
        "facilitator":              ("LRCU·", "----·"),
        "local_coordinator":        ("LRC-·", "----·"),
        "departmental_coordinator": ("LRC-·", "----·"),
        "regional_coordinator":     ("LRC-·", "LRC-·"),
        "national_coordinator":     ("----·", "----·"),
        "partner":                  ("----·", "----·"),
        "platform_admin":           ("----·", "----·"),
    },
    "validation": {
        "anonymous":                ("---·-", "---·-"),
        "buyer_agent":              ("---·-", "---·-"),
        "buyer_org_admin":          ("---·-", "---·-"),
        "company_contact":          ("---·-", "---·-"),
        "facilitator":              ("LRC·D", "---·-"),
        "local_coordinator":        ("LR-·-", "---·-"),
        "departmental_coordinator": ("LR-·-", "---·-"),
        "regional_coordinator":     ("LR-·-", "LR-·-"),
        "national_coordinator":     ("---·-", "---·-"),
        "partner":                  ("---·-", "---·-"),
        "platform_admin":           ("---·-", "---·-"),
    },
    # The employer declares and reads its own; the facilitators and coordinators of the
    # market's territory read and control; a buyer reads counts only (clause progress, never
    # a declaration), the national coordination, partners and administrators nothing.
    "declaration": {
        "anonymous":                ("----·", "----·"),
        "buyer_agent":              ("----·", "----·"),
        "buyer_org_admin":          ("----·", "----·"),
        "company_contact":          ("LRC-·", "----·"),
        "facilitator":              ("LR-U·", "----·"),
        "local_coordinator":        ("LR-U·", "----·"),
        "departmental_coordinator": ("LR-U·", "----·"),
        "regional_coordinator":     ("LR-U·", "LR-U·"),
        "national_coordinator":     ("----·", "----·"),
        "partner":                  ("----·", "----·"),
        "platform_admin":           ("----·", "----·"),
    },
    # A buyer sees and uploads its own programme; the facilitators of the buyers they follow
    # or of their département upload and review; territorial coordinators review; companies,
    # partners and the national coordination see nothing.
    "programme": {
        "anonymous":                ("-----", "-----"),
        "buyer_agent":              ("LRC-D", "-----"),
        "buyer_org_admin":          ("LRC-D", "-----"),
        "company_contact":          ("-----", "-----"),
        "facilitator":              ("LRCUD", "-----"),
        "local_coordinator":        ("LR-U-", "-----"),
        "departmental_coordinator": ("LR-U-", "-----"),
        "regional_coordinator":     ("LR-U-", "LR-U-"),
        "national_coordinator":     ("-----", "-----"),
        "partner":                  ("-----", "-----"),
        "platform_admin":           ("LRCUD", "LRCUD"),
    },
    # A notification is its recipient's alone: not a colleague's, a coordinator's nor an
    # administrator's to read or mark (#12.9).
    "notification": {
        "anonymous":                ("--·-·", "--·-·"),
        "buyer_agent":              ("LR·U·", "--·-·"),
        "buyer_org_admin":          ("LR·U·", "--·-·"),
        "company_contact":          ("LR·U·", "--·-·"),
        "facilitator":              ("LR·U·", "--·-·"),
        "local_coordinator":        ("LR·U·", "--·-·"),
        "departmental_coordinator": ("LR·U·", "--·-·"),
        "regional_coordinator":     ("LR·U·", "--·-·"),
        "national_coordinator":     ("LR·U·", "--·-·"),
        "partner":                  ("LR·U·", "--·-·"),
        "platform_admin":           ("LR·U·", "--·-·"),
    },
}
# fmt: on


def _outcome(kind: RecordKind, actor: Actor, record: Model) -> str:
    visible = kind.visible(actor)
    letters = [
        "L" if record.pk in set(visible.values_list("pk", flat=True)) else "-",
        "R" if visible.filter(pk=record.pk).exists() else "-",
    ]
    for action in "CUD":
        check = kind.can[action]
        if check is None:
            letters.append("·")
        else:
            letters.append(action if check(actor, record) else "-")
    return "".join(letters)


def test_every_role_and_kind_has_a_row():
    assert set(EXPECTED) == set(KINDS)
    for table in EXPECTED.values():
        assert list(table) == ROLES


@pytest.mark.parametrize("kind_name", list(KINDS))
@pytest.mark.parametrize("role", ROLES)
def test_policies(world: World, role: str, kind_name: str):
    kind = KINDS[kind_name]
    actor = world.actor(role)
    actual = (
        _outcome(kind, actor, kind.own(world, role)),
        _outcome(kind, actor, kind.other(world, role)),
    )
    assert actual == EXPECTED[kind_name][role], f"{role} × {kind_name}: (propre, autre)"


# -- the same through a token: a token acts as a member with its role ------------------

TOKEN_ROLES = [r for r in ROLES if r not in ("anonymous", "platform_admin")]


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_a_token_sees_what_a_member_with_that_role_sees(world: World, role: str, client):
    membership = world.memberships[role]
    _, raw = make_api_token(membership.organisation, role=membership.role)
    member = actor_for_membership(membership)
    response = client.get(
        "/api/v1/organisations?limit=100", headers={"authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    seen = {item["id"] for item in response.json()["items"]}
    assert seen == set(policies.visible_organisations(member).values_list("pk", flat=True))
    # and the table says the same about the own / other organisation
    own, other = EXPECTED["organisation"][role]
    assert (world.own_organisation(role).pk in seen) == ("R" in own)
    assert (world.other_organisation(role).pk in seen) == ("R" in other)


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_a_token_never_manages_nor_reads_tokens_or_audit(world: World, role: str):
    from clauses.access.actors import actor_for_token

    membership = world.memberships[role]
    token, _ = make_api_token(
        membership.organisation, role=membership.role, scope=TokenScope.READ_WRITE
    )
    actor = actor_for_token(token)
    assert not policies.visible_api_tokens(actor).exists()
    assert not policies.visible_audit_events(actor).exists()
    assert not policies.can_manage_members(actor, membership.organisation)
    assert not policies.can_create_token(actor, membership.organisation)
    assert not actor.can_see_personal_data
    # nor the notifications of the person the token stands for (they are for people)
    waiting = notifications_matrix.record(world, role, "own")
    assert not notifications_matrix.visible(actor).filter(pk=waiting.pk).exists()
    assert not notifications_matrix.can_mark_read(actor, waiting)


# -- pages ----------------------------------------------------------------------------


def _get(client, url: str) -> int:  # noqa: ANN001
    return client.get(url).status_code


@pytest.mark.parametrize("role", ROLES)
def test_token_pages(world: World, role: str, client):
    login(client, world.memberships.get(role))
    own = KINDS["api_token"].own(world, role)
    other = KINDS["api_token"].other(world, role)
    own_expected, other_expected = EXPECTED["api_token"][role]
    list_status = _get(client, reverse("access:tokens"))
    create_status = _get(client, reverse("access:token_create"))
    if role == "anonymous":
        assert (list_status, create_status) == (302, 302)  # to the login page
        return
    # The "Jetons d'API" page is the one of my organisation: organisation admins only.
    assert list_status == (200 if "C" in own_expected else 404)
    assert create_status == (200 if "C" in own_expected else 404)
    if list_status == 200:
        content = client.get(reverse("access:tokens")).content.decode()
        assert own.prefix in content
        assert other.prefix not in content
    # Revoking: the confirmation page, then the POST.
    for token, expected in ((own, own_expected), (other, other_expected)):
        url = reverse("access:token_revoke", args=[token.pk])
        assert _get(client, url) == (200 if "D" in expected else 404)
        response = client.post(url)
        token.refresh_from_db()
        if "D" in expected:
            assert response.status_code == 302
            assert token.revoked_at is not None
        else:
            assert response.status_code == 404
            assert token.revoked_at is None


@pytest.mark.parametrize("role", ROLES)
def test_audit_journal_page(world: World, role: str, client):
    login(client, world.memberships.get(role))
    response = client.get(reverse("access:audit"))
    own_expected, other_expected = EXPECTED["audit_event"][role]
    if role == "anonymous":
        assert response.status_code == 302
        return
    if "L" not in own_expected and "L" not in other_expected:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert ("Événement de Saint-Denis" in content) == ("L" in own_expected)
    assert ("Événement de Paris" in content) == ("L" in other_expected)


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_api_answers_like_the_policies(world: World, role: str, client):
    """Through the API, with a token of the actor's organisation and role."""
    membership = world.memberships[role]
    _, raw = make_api_token(membership.organisation, role=membership.role)
    headers = {"authorization": f"Bearer {raw}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["organisation"]["id"] == membership.organisation.pk
    assert me.json()["role"] == membership.role


# -- hour declarations: pages and API -----------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_hour_declaration_pages(world: World, role: str, client):
    """Mes clauses (the employer) and Contrôle des heures (who controls) list what the
    table says; controlling a declaration out of reach answers 404."""
    own, other = hours_matrix.record(world, "own"), hours_matrix.record(world, "other")
    own_expected, other_expected = EXPECTED["declaration"][role]
    login(client, world.memberships.get(role))
    mine = client.get(reverse("hours:my_clauses"))
    control = client.get(reverse("hours:control"))
    if role == "anonymous":
        assert (mine.status_code, control.status_code) == (302, 302)
        return
    page = mine if "C" in own_expected else control if "U" in own_expected else None
    if page is None:
        assert 403 in (mine.status_code, control.status_code)
        assert mine.status_code != 200 and control.status_code != 200
        return
    assert page.status_code == 200
    content = page.content.decode()
    assert ("Matrice 93" in content) == ("L" in own_expected)
    assert ("Matrice 75" in content) == ("L" in other_expected)
    for declaration, expected in ((own, own_expected), (other, other_expected)):
        response = client.post(
            reverse("hours:control_one", args=[declaration.pk]), {"decision": "validate"}
        )
        declaration.refresh_from_db()
        if "U" in expected:
            assert response.status_code == 302
            assert declaration.status == "validated"
        else:
            assert response.status_code in (403, 404)
            assert declaration.status == "submitted"


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_hour_declarations_through_the_api(world: World, role: str, client):
    """A token declares only for its own company's assignments; no token reads or controls
    a declaration of someone else (no personal data through a token); a clause's progress
    (counts only) answers like `visible_clauses`."""
    from clauses.access.actors import actor_for_token
    from clauses.hours import policies as hours_policies

    own, other = hours_matrix.record(world, "own"), hours_matrix.record(world, "other")
    own_expected, _ = EXPECTED["declaration"][role]
    membership = world.memberships[role]
    token, raw = make_api_token(
        membership.organisation, role=membership.role, scope=TokenScope.READ_WRITE
    )
    headers = {"authorization": f"Bearer {raw}"}
    actor = actor_for_token(token)
    seen = set(hours_policies.visible_declarations(actor).values_list("pk", flat=True))
    assert seen == ({own.pk} if "C" in own_expected else set())
    assert not hours_policies.can_control(actor, own)
    assert not hours_policies.can_control(actor, other)

    def declare(declaration) -> int:  # noqa: ANN001
        body = {
            "declarations": [
                {"assignment": declaration.assignment_id, "month": "2026-05", "hours": "35"}
            ]
        }
        return client.post(
            "/api/v1/contractor/declarations",
            body,
            content_type="application/json",
            headers=headers,
        ).status_code

    assert declare(own) == (200 if "C" in own_expected else 403)
    assert declare(other) == (422 if "C" in own_expected else 403)  # not its assignment

    clause = own.assignment.lot.considerations.get()
    progress = client.get(f"/api/v1/clauses/{clause.pk}/progress", headers=headers)
    readable = hours_policies.visible_clauses(actor).filter(pk=clause.pk).exists()
    assert progress.status_code == (200 if readable else 404)
    if role in ("buyer_agent", "buyer_org_admin", "company_contact", "facilitator"):
        assert progress.status_code == 200  # counts only, no participant
        assert "Matrice" not in progress.content.decode()
    if role in ("national_coordinator", "partner"):
        assert progress.status_code == 404


# -- reports (clauses.reporting) --------------------------------------------------------
#
# Each report kind, for each actor, on its OWN side (buyer93's clause report, the 93
# structure's, local coordination's and département's reviews, the Île-de-France region's)
# and the OTHER (the same in Paris, 75; for a region, Auvergne-Rhône-Alpes, 84), with
#   L = listed on the "Bilans" page, R = the page reads (else 404), E = its downloads (the
#   clause report's PDF; a review's XLSX and CSV) answer (else 404).
# Anonymous visitors are sent to the login page. Reports are aggregated and masked: the
# participants' names (one on each side, tests/reporting/matrix.py) appear on no page and in
# no download, for any role. See clauses/reporting/policies.py for the rules.


# fmt: off
EXPECTED_REPORTS = {
    #                             own    other
    "clause_report": {
        "anonymous":                ("---", "---"),
        "buyer_agent":              ("LRE", "---"),
        "buyer_org_admin":          ("LRE", "---"),
        "company_contact":          ("---", "---"),
        "facilitator":              ("LRE", "---"),
        "local_coordinator":        ("LRE", "---"),
        "departmental_coordinator": ("LRE", "---"),
        "regional_coordinator":     ("LRE", "LRE"),
        "national_coordinator":     ("---", "---"),  # aggregates only, no buyer's report
        "partner":                  ("---", "---"),
        "platform_admin":           ("-RE", "-RE"),  # reads all; its page lists the regions
    },
    "buyer_review": {
        "anonymous":                ("---", "---"),
        "buyer_agent":              ("LRE", "---"),
        "buyer_org_admin":          ("LRE", "---"),
        "company_contact":          ("---", "---"),
        "facilitator":              ("LRE", "---"),
        "local_coordinator":        ("LRE", "---"),
        "departmental_coordinator": ("LRE", "---"),
        "regional_coordinator":     ("LRE", "LRE"),
        "national_coordinator":     ("---", "---"),
        "partner":                  ("---", "---"),
        "platform_admin":           ("-RE", "-RE"),
    },
    "structure_review": {
        "anonymous":                ("---", "---"),
        "buyer_agent":              ("---", "---"),
        "buyer_org_admin":          ("---", "---"),
        "company_contact":          ("---", "---"),
        "facilitator":              ("LRE", "---"),
        "local_coordinator":        ("LRE", "---"),
        "departmental_coordinator": ("LRE", "---"),
        "regional_coordinator":     ("LRE", "LRE"),
        "national_coordinator":     ("---", "---"),
        "partner":                  ("---", "---"),
        "platform_admin":           ("-RE", "-RE"),
    },
    "coordination_review": {
        "anonymous":                ("---", "---"),
        "buyer_agent":              ("---", "---"),
        "buyer_org_admin":          ("---", "---"),
        "company_contact":          ("---", "---"),
        "facilitator":              ("---", "---"),
        "local_coordinator":        ("LRE", "---"),
        "departmental_coordinator": ("-RE", "---"),
        "regional_coordinator":     ("-RE", "-RE"),
        "national_coordinator":     ("---", "---"),
        "partner":                  ("---", "---"),
        "platform_admin":           ("-RE", "-RE"),
    },
    "department_review": {
        "anonymous":                ("---", "---"),
        "buyer_agent":              ("---", "---"),
        "buyer_org_admin":          ("---", "---"),
        "company_contact":          ("---", "---"),
        "facilitator":              ("---", "---"),
        "local_coordinator":        ("---", "---"),
        "departmental_coordinator": ("LRE", "---"),
        "regional_coordinator":     ("LRE", "LRE"),
        "national_coordinator":     ("-RE", "-RE"),
        "partner":                  ("---", "---"),
        "platform_admin":           ("-RE", "-RE"),
    },
    "region_review": {
        "anonymous":                ("---", "---"),
        "buyer_agent":              ("---", "---"),
        "buyer_org_admin":          ("---", "---"),
        "company_contact":          ("---", "---"),
        "facilitator":              ("---", "---"),
        "local_coordinator":        ("---", "---"),
        "departmental_coordinator": ("---", "---"),
        "regional_coordinator":     ("LRE", "---"),
        "national_coordinator":     ("LRE", "LRE"),
        "partner":                  ("---", "---"),
        "platform_admin":           ("LRE", "LRE"),
    },
}
# The live dashboard (regional: its region; national: every region) and the yearly
# consolidation (XLSX): D = the dashboard reads, X = the consolidation downloads.
EXPECTED_DASHBOARDS = {
    "anonymous":                "--",
    "buyer_agent":              "--",
    "buyer_org_admin":          "--",
    "company_contact":          "--",
    "facilitator":              "--",
    "local_coordinator":        "--",
    "departmental_coordinator": "--",
    "regional_coordinator":     "DX",
    "national_coordinator":     "DX",
    "partner":                  "--",
    "platform_admin":           "DX",
}
# fmt: on


def test_every_role_and_report_has_a_row():
    assert set(EXPECTED_REPORTS) == set(reporting_matrix.REPORTS)
    for table in EXPECTED_REPORTS.values():
        assert list(table) == ROLES
    assert list(EXPECTED_DASHBOARDS) == ROLES


def _no_name(names: list[str], text: str, where: str) -> None:
    for name in names:
        assert name not in text, f"« {name} » apparaît dans {where}"


def _download_text(response) -> str:  # noqa: ANN001
    """The text of a download: CSV as is, every cell of an XLSX, the PDF's text."""
    import io

    content_type = response["Content-Type"]
    if content_type.startswith("text/csv"):
        return response.content.decode("utf-8-sig")
    if content_type == "application/pdf":
        from pypdf import PdfReader

        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content))
    return " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


@pytest.mark.parametrize("role", ROLES)
def test_report_pages(world: World, role: str, client):
    from clauses.reporting import policies as reporting_policies

    reporting_matrix.build(world)
    names = reporting_matrix.participant_names(world)
    actor = world.actor(role)
    login(client, world.memberships.get(role))
    index = client.get(reverse("reporting:index"))
    index_page = index.content.decode() if index.status_code == 200 else ""
    if role == "anonymous":
        assert index.status_code == 302
    _no_name(names, index_page, "la page Bilans")
    failures = []
    for report_name, report in reporting_matrix.REPORTS.items():
        for side, expected in zip(
            ("own", "other"), EXPECTED_REPORTS[report_name][role], strict=True
        ):
            key = reporting_matrix.key(world, report, side)
            url = reporting_matrix.page_url(report, key)
            refused = 302 if role == "anonymous" else 404
            listed = f'href="{url}"' in index_page
            response = client.get(url)
            read = response.status_code == 200
            assert response.status_code in (200, refused), (report_name, side, response)
            if read:
                _no_name(names, response.content.decode(), f"{report_name} ({side})")
            exports = []
            for export_url in reporting_matrix.export_urls(report, key):
                download = client.get(export_url)
                assert download.status_code in (200, refused), (report_name, side, export_url)
                exports.append(download.status_code == 200)
                if download.status_code == 200:
                    _no_name(names, _download_text(download), export_url)
            policy = reporting_policies.scope_for(actor, report.kind, key) is not None
            actual = (
                ("L" if listed else "-")
                + ("R" if read else "-")
                + ("E" if all(exports) else "-" if not any(exports) else "?")
            )
            if actual != expected or policy != read:
                failures.append(f"{report_name} ({side}) : {actual} (attendu {expected})")
    assert not failures, f"{role} :\n" + "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_and_consolidation_pages(world: World, role: str, client):
    reporting_matrix.build(world)
    names = reporting_matrix.participant_names(world)
    login(client, world.memberships.get(role))
    dashboard = client.get(reverse("reporting:dashboard"))
    consolidation = client.get(reverse("reporting:consolidation", args=[2026]))
    refused = 302 if role == "anonymous" else 404
    assert dashboard.status_code in (200, refused)
    assert consolidation.status_code in (200, refused)
    actual = ("D" if dashboard.status_code == 200 else "-") + (
        "X" if consolidation.status_code == 200 else "-"
    )
    assert actual == EXPECTED_DASHBOARDS[role]
    if dashboard.status_code == 200:
        _no_name(names, dashboard.content.decode(), "le tableau de bord")
    if consolidation.status_code == 200:
        _no_name(names, _download_text(consolidation), "la consolidation")


@pytest.mark.parametrize("role", ROLES)
def test_observatory_pages(world: World, role: str, client):
    """The pages agree with the policy: a contract the actor may read shows on its
    territory's page and its buyer's page; refused, both answer 404 (302 anonymous)."""
    login(client, world.memberships.get(role))
    own, other = EXPECTED["published_contract"][role]
    for side, expected in (("own", own), ("other", other)):
        contract = observatory_matrix.record(world, side)
        for url in observatory_matrix.page_urls(side):
            response = client.get(url)
            if "R" in expected:
                assert response.status_code == 200, (role, url)
                assert contract.buyer_name in response.content.decode(), (role, url)
            else:
                assert response.status_code == (302 if role == "anonymous" else 404), (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_notification_pages(world: World, role: str, client):
    """The pages agree with the policy: the list shows the own notification only; marking
    the other one read answers 404 and changes nothing (anonymous: sent to log in)."""
    login(client, world.memberships.get(role))
    own_expected, other_expected = EXPECTED["notification"][role]
    own = notifications_matrix.record(world, role, "own")
    other = notifications_matrix.record(world, role, "other")
    response = client.get(reverse("notifications:list"))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        content = response.content.decode()
        assert (own.text in content) == ("L" in own_expected)
        assert (other.text in content) == ("L" in other_expected)
    for notification, expected in ((own, own_expected), (other, other_expected)):
        response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
        notification.refresh_from_db()
        if "U" in expected:
            assert response.status_code == 302, role
            assert notification.read_at is not None, role
        else:
            assert response.status_code == (302 if role == "anonymous" else 404), role
            assert notification.read_at is None, role
