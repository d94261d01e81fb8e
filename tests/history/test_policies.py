"""Who may import a structure's history and use a mapping profile: a matrix of role ×
structure × action (issue #14.1: « only the structure's facilitators and their
coordinations import into it »)."""

import dataclasses

import pytest

from clauses.accounts.enums import Role
from clauses.history import policies, services
from clauses.history.models import HistoryUpload
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination
from tests.history.engine_support import fw as fw  # noqa: F401
from tests.history.engine_support import hw as hw  # noqa: F401
from tests.history.engine_support import world as world  # noqa: F401
from tests.markets.conftest import member, organisation_of

pytestmark = pytest.mark.django_db

# who → (imports into s93, imports into s75)
MATRIX = {
    "facilitator": (True, False),
    "facilitator75": (False, True),
    "coordinator93": (True, False),
    "coordinator75": (False, True),
    "regional": (True, True),
    "national": (False, False),
    "buyer": (False, False),
    "company": (False, False),
    "admin": (False, False),
    "token_facilitator": (False, False),
    "read_only_facilitator": (False, False),
}


def actor_of(hw, who):
    if who == "regional":
        coordination = Coordination.objects.get(level=CoordinationLevel.REGIONAL, region__code="11")
        return member(organisation_of(coordination), Role.COORDINATOR)
    if who == "national":
        coordination = Coordination.objects.filter(level=CoordinationLevel.NATIONAL).first()
        return member(organisation_of(coordination), Role.COORDINATOR)
    if who == "admin":
        return hw.fw.base.admin
    if who == "token_facilitator":
        return dataclasses.replace(hw.actor("facilitator"), token_id=1)
    if who == "read_only_facilitator":
        return dataclasses.replace(hw.actor("facilitator"), read_only=True)
    return hw.actor(who)


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_import_matrix(hw, who):
    actor = actor_of(hw, who)
    s93, s75 = hw.fw.base.s93, hw.fw.base.s75
    expected93, expected75 = MATRIX[who]
    assert policies.can_import(actor, s93) is expected93
    assert policies.can_import(actor, s75) is expected75
    importable = set(policies.importable_structures(actor))
    assert (s93 in importable, s75 in importable) == (expected93, expected75)


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_an_import_refused_by_policy_raises_and_writes_nothing(hw, who):
    if MATRIX[who][0]:
        return
    from django.core.exceptions import PermissionDenied

    from tests.history.engine_support import row

    with pytest.raises(PermissionDenied):
        services.run_import(
            actor=actor_of(hw, who),
            structure=hw.structure,
            table=hw.table([row()]),
            columns=hw.columns(hw.table([row()])),
        )


def test_an_inactive_structure_takes_no_import(hw):
    hw.structure.is_active = False
    hw.structure.save()
    assert not policies.can_import(hw.actor(), hw.structure)


def test_profiles_own_and_shared_in_the_departement(hw):
    facilitator = hw.actor("facilitator")
    own = services.save_profile(actor=facilitator, structure=hw.structure, name="Mien", columns={})
    from tests.markets.conftest import departmental
    from tests.network.factories import FacilitatorStructureFactory

    neighbour = FacilitatorStructureFactory(name="Voisine 93", coordination=departmental("93"))
    neighbour_actor = member(organisation_of(neighbour), Role.FACILITATOR)
    shared = services.save_profile(
        actor=neighbour_actor,
        structure=neighbour,
        name="Partagé",
        columns={},
        shared_in_department=True,
    )
    private = services.save_profile(
        actor=neighbour_actor, structure=neighbour, name="Privé", columns={}
    )
    paris = services.save_profile(
        actor=hw.actor("facilitator75"),
        structure=hw.fw.base.s75,
        name="Paris",
        columns={},
        shared_in_department=True,
    )
    assert policies.can_use_profile(facilitator, own)
    assert policies.can_use_profile(facilitator, shared)
    assert not policies.can_use_profile(facilitator, private)
    assert not policies.can_use_profile(facilitator, paris)  # shared, but in the 75
    assert set(services.profiles_for(facilitator, hw.structure)) == {own, shared}
    # only its own structure's importers rename, share or delete a profile
    assert policies.can_edit_profile(facilitator, own)
    assert not policies.can_edit_profile(facilitator, shared)
    for who in ("buyer", "company", "national", "token_facilitator"):
        assert not policies.can_use_profile(actor_of(hw, who), own)
        assert not services.profiles_for(actor_of(hw, who), hw.structure).exists()


def test_an_upload_is_its_uploaders_own(hw):
    import io

    from tests.history.engine_support import csv_bytes, row

    stream = io.BytesIO(csv_bytes([row()]))
    stream.name = "export.csv"
    upload, table = services.store_upload(actor=hw.actor(), structure=hw.structure, file=stream)
    assert upload.headers == table.headers
    colleague = member(organisation_of(hw.structure), Role.FACILITATOR)
    assert list(policies.visible_uploads(colleague)) == []  # another facilitator's upload
    assert list(policies.visible_uploads(hw.actor())) == [upload]
    assert list(policies.visible_uploads(hw.actor("coordinator93"))) == []
    assert list(policies.visible_uploads(hw.actor("facilitator75"))) == []
    assert HistoryUpload.objects.count() == 1
