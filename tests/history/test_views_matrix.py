"""The wizard's permission matrix (#14.1), like tests/access: every role × object (own
structure, Saint-Denis; other structure, Paris) × action, through the pages.

Only the structure's facilitators and the coordinations above it import into it; a user's
upload is theirs (a colleague or a coordinator gets a 404, as for another structure's:
nothing says it exists); an import report and a profile are their structure's importers'.
Those who may import nowhere get a 403 on every page, the anonymous visitor the login page.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from clauses.history.models import HistoryImport, HistoryUpload, MappingProfile
from tests.access.conftest import ROLES, World
from tests.access.conftest import world as world  # noqa: F401 — the fixture
from tests.access.helpers import login

IMPORTERS_93 = {
    "facilitator",
    "local_coordinator",
    "departmental_coordinator",
    "regional_coordinator",
}
IMPORTERS_75 = {"regional_coordinator"}  # the 75 facilitator is not among ROLES' actors
CSV = "NOM;PRENOM;NE(E) LE\nDUPONT;Éloïse;12/03/1990\n".encode()


def _status(client: Client, method: str, url: str) -> int:
    response = client.post(url, {}) if method == "post" else client.get(url)
    return response.status_code


def _refused(role: str) -> int:
    return 302 if role == "anonymous" else 403


@pytest.fixture
def objects(world: World) -> dict:  # noqa: F811
    """An upload, an import and a profile of each structure; the 93 upload by the 93
    facilitator, the 75 one by a colleague of the 75 structure."""
    result = {}
    uploaders = {
        "own": world.memberships["facilitator"].user,
        "other": world.colleagues[world.organisations["structure75"].pk].user,
    }
    for key, structure in world.structures.items():
        upload = HistoryUpload(
            structure=structure,
            uploaded_by=uploaders[key],
            file_name="historique.csv",
            sha256=f"{key:0<64}",
            headers=["NOM", "PRENOM", "NE(E) LE"],
            row_count=1,
            columns={"person.last_name": "NOM"},
        )
        upload.file.save("historique.csv", ContentFile(CSV), save=False)
        upload.save()
        result[key] = {
            "upload": upload,
            "import": HistoryImport.objects.create(structure=structure, file_name="h.csv"),
            "profile": MappingProfile.objects.create(structure=structure, name=f"Profil {key}"),
        }
    return result


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_wizard(client: Client, world: World, role: str):  # noqa: F811
    login(client, world.memberships.get(role))
    expected = 200 if role in IMPORTERS_93 else _refused(role)
    for name in ("history:index", "history:upload", "history:profiles"):
        assert _status(client, "get", reverse(name)) == expected, (role, name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own", "other"])
def test_uploads_are_their_uploaders(client, world, objects, role, which):  # noqa: F811
    login(client, world.memberships.get(role))
    upload = objects[which]["upload"]
    mine = role == "facilitator" and which == "own"
    for name, method in [
        ("history:columns", "get"),
        ("history:values", "get"),
        ("history:check", "get"),
        ("history:run", "post"),
    ]:
        status = _status(client, method, reverse(name, args=[upload.pk]))
        if role not in IMPORTERS_93:
            assert status == _refused(role), (role, which, name)
        elif mine:
            assert status in (200, 302, 422), (role, which, name, status)
        else:
            assert status == 404, (role, which, name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own", "other"])
def test_reports_and_profiles_are_their_structures(client, world, objects, role, which):  # noqa: F811
    login(client, world.memberships.get(role))
    importers = IMPORTERS_93 if which == "own" else IMPORTERS_75
    record, profile = objects[which]["import"], objects[which]["profile"]
    for name, method, pk in [
        ("history:report", "get", record.pk),
        ("history:profile_edit", "get", profile.pk),
        ("history:profile_delete", "get", profile.pk),
    ]:
        status = _status(client, method, reverse(name, args=[pk]))
        if role not in IMPORTERS_93:
            assert status == _refused(role), (role, which, name)
        elif role in importers:
            assert status == 200, (role, which, name)
        else:
            assert status == 404, (role, which, name)
    # Saving a profile from an import: the uploader's own import only.
    status = _status(client, "post", reverse("history:save_profile", args=[record.pk]))
    if role not in IMPORTERS_93:
        assert status == _refused(role)
    else:
        assert status == 404  # no upload behind these imports, or not found


def test_a_profile_shared_in_another_departement_stays_hidden(client, world, objects):  # noqa: F811
    other = objects["other"]["profile"]
    other.shared_in_department = True
    other.save()
    login(client, world.memberships["facilitator"])
    page = client.get(reverse("history:profiles"))
    assert "Profil other" not in page.content.decode()
    assert (
        client.get(reverse("history:upload") + f"?profil={other.pk}")
        .context["form"]
        .initial.get("profile")
        is None
    )
    assert _status(client, "post", reverse("history:profile_delete", args=[other.pk])) == 404
    assert MappingProfile.objects.filter(pk=other.pk).exists()


def test_a_shared_profile_is_used_not_edited(client, world, objects):  # noqa: F811
    """A profile another 93 structure shares: usable by the 93 facilitator, not editable."""
    from tests.network.factories import FacilitatorStructureFactory

    neighbour = FacilitatorStructureFactory(
        coordination=world.coordinations["dep93"], name="Structure voisine"
    )
    shared = MappingProfile.objects.create(
        structure=neighbour, name="Profil voisin", shared_in_department=True
    )
    login(client, world.memberships["facilitator"])
    page = client.get(reverse("history:profiles")).content.decode()
    assert "Profil voisin" in page
    assert reverse("history:profile_edit", args=[shared.pk]) not in page
    form = client.get(reverse("history:upload") + f"?profil={shared.pk}").context["form"]
    assert form.initial["profile"] == shared.pk
    assert _status(client, "get", reverse("history:profile_edit", args=[shared.pk])) == 403
    assert _status(client, "post", reverse("history:profile_delete", args=[shared.pk])) == 403
