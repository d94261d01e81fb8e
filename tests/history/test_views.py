"""The history import wizard's pages (#14.1): the whole path from upload to report and
profile, the « two clicks » of a saved profile, hostile files answered in French, CSRF, and
the query budgets of the list pages. The permission matrix is in test_views_matrix.py."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from clauses.accounts.models import Membership
from clauses.history import demo, services, wizard
from clauses.history.models import HistoryImport, HistoryUpload, MappingProfile
from tests.access.helpers import login
from tests.followup.conftest import fw as fw  # noqa: F401 — the fixture
from tests.followup.conftest import world as world  # noqa: F401 — the fixture


def _file(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def membership(fw, who: str = "facilitator") -> Membership:  # noqa: ANN001, F811
    return Membership.objects.get(pk=fw.actor(who).membership_id)


@pytest.fixture
def facilitator(client: Client, fw):  # noqa: ANN001, ANN201, F811
    login(client, membership(fw))
    return client


def next_export() -> bytes:
    """The next export of the « tableur de suivi »: the same shape, other people."""
    text = demo.tableur_de_suivi().decode("latin-1")
    for before, after in (("DÉMO-", "AUTRE-"), ("FICTIF-", "SECOND-"), ("EXEMPLE-", "TIERS-")):
        text = text.replace(before, after)
    return text.encode("latin-1")


def _upload(client: Client, fw, key: str = "tableur-de-suivi", **extra: object):  # noqa: ANN001, ANN202, F811
    sample = next(s for s in demo.SAMPLES if s.key == key)
    data = {
        "structure": fw.base.s93.pk,
        "file": _file(demo.sample_bytes(key), sample.file_name),
        **extra,
    }
    return client.post(reverse("history:upload"), data)


def test_the_whole_path_from_upload_to_report_and_profile(facilitator, fw):  # noqa: F811
    index = facilitator.get(reverse("history:index"))
    assert index.status_code == 200
    assert "Aucun import pour l'instant." in index.content.decode()

    page = facilitator.get(reverse("history:upload"))
    assert page.status_code == 200
    assert "Étape 1 sur 5" in page.content.decode()

    response = _upload(facilitator, fw)
    upload = HistoryUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("history:columns", args=[upload.pk])
    assert upload.uploaded_by == membership(fw).user
    assert upload.row_count == 19

    # Step 2: every column with a select, suggested from its header, samples shown.
    page = facilitator.get(reverse("history:columns", args=[upload.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "NE(E) LE" in html and "Exemples : " in html
    assert re.search(r'<option value="person.birth_date"[^>]*selected', html)
    assert "Champs obligatoires par élément" in html
    data = {f"col_{i}": wizard.NOT_IMPORTED for i in range(len(demo.HEADERS_B))}
    for key, header in demo.PROFILE_B_COLUMNS.items():
        data[f"col_{demo.HEADERS_B.index(header)}"] = key
    response = facilitator.post(reverse("history:columns", args=[upload.pk]), data)
    assert response["Location"] == reverse("history:values", args=[upload.pk])
    upload.refresh_from_db()
    assert upload.columns == demo.PROFILE_B_COLUMNS

    # Step 3: unknown labels first, and they must be mapped or ignored.
    page = facilitator.get(reverse("history:values", args=[upload.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 valeurs non reconnues" in html
    assert html.index("Demandeur d&#x27;emploi longue durée") < html.index("Résident QPV")
    form = page.context["form"]
    empty = {name: (field.initial or "") for name, field in form.fields.items()}
    refused = facilitator.post(reverse("history:values", args=[upload.pk]), empty)
    assert refused.status_code == 200
    assert "Choisissez un code, ou « Ignorer cette valeur »." in refused.content.decode()
    chosen = dict(empty)
    for group in form.groups():
        for bound in group["fields"]:
            if not chosen[bound.name]:
                chosen[bound.name] = (
                    "long_term_jobseeker"
                    if group["column"].key == "eligibility.criteria"
                    else "subcontract_siae"
                )
    response = facilitator.post(reverse("history:values", args=[upload.pk]), chosen)
    assert response["Location"] == reverse("history:check", args=[upload.pk])
    upload.refresh_from_db()
    assert upload.values["assignment.modality"]["CDD d'insertion"] == "subcontract_siae"

    # Step 4: nothing written yet, then the import.
    page = facilitator.get(reverse("history:check", args=[upload.pk]))
    assert page.status_code == 200
    assert page.context["problem_count"] == 0, page.context["result"].problems[:5]
    assert "Aucun problème : le fichier peut être importé" in page.content.decode()
    assert not HistoryImport.objects.exists()
    response = facilitator.post(reverse("history:run", args=[upload.pk]))
    record = HistoryImport.objects.get()
    assert response["Location"] == reverse("history:report", args=[record.pk])
    assert record.structure == fw.base.s93 and record.upload == upload

    # Step 5: the report, then the mapping saved as a profile.
    page = facilitator.get(reverse("history:report", args=[record.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("followup:participants") in html and reverse("markets:list") in html
    response = facilitator.post(
        reverse("history:save_profile", args=[record.pk]),
        {"name": "Tableur de la structure", "shared_in_department": "on"},
    )
    assert response["Location"] == reverse("history:profiles")
    profile = MappingProfile.objects.get(name="Tableur de la structure")
    assert profile.structure == fw.base.s93 and profile.shared_in_department
    assert profile.columns == demo.PROFILE_B_COLUMNS
    assert profile.values["eligibility.criteria"]["Demandeur d'emploi longue durée"] == (
        "long_term_jobseeker"
    )

    # The imported upload now opens its report, not the wizard.
    again = facilitator.get(reverse("history:columns", args=[upload.pk]))
    assert again["Location"] == reverse("history:report", args=[record.pk])
    twice = facilitator.post(reverse("history:run", args=[upload.pk]))
    assert twice["Location"] == reverse("history:report", args=[record.pk])
    assert HistoryImport.objects.count() == 1

    # Next export of the same tool: two clicks (upload with the profile → check → import).
    page = facilitator.get(reverse("history:upload") + f"?profil={profile.pk}")
    assert page.context["form"].initial["profile"] == profile.pk
    response = facilitator.post(
        reverse("history:upload"),
        {
            "structure": fw.base.s93.pk,
            "file": _file(next_export(), "tableur-de-suivi-2.csv"),
            "profile": profile.pk,
        },
    )
    second = HistoryUpload.objects.exclude(pk=upload.pk).get()
    assert response["Location"] == reverse("history:check", args=[second.pk])
    assert second.profile == profile and second.columns == demo.PROFILE_B_COLUMNS
    response = facilitator.post(reverse("history:run", args=[second.pk]))
    assert response.status_code == 302, response.context["result"].problems[:3]
    assert HistoryImport.objects.filter(profile=profile).count() == 1


def test_a_profile_missing_columns_goes_to_the_columns_step(facilitator, fw):  # noqa: F811
    profile = services.save_profile(
        actor=fw.actor("facilitator"),
        structure=fw.base.s93,
        name="Autre outil",
        columns={**demo.PROFILE_B_COLUMNS, "person.gender": "SEXE"},
    )
    response = _upload(facilitator, fw, profile=profile.pk)
    upload = HistoryUpload.objects.get()
    assert response["Location"] == reverse("history:columns", args=[upload.pk])
    assert "person.gender" not in upload.columns


def test_problems_by_line_and_column_and_nothing_written(facilitator, fw):  # noqa: F811
    raw = demo.tableur_de_suivi().decode("latin-1").replace("0", "x", 40).encode("latin-1")
    response = facilitator.post(
        reverse("history:upload"),
        {"structure": fw.base.s93.pk, "file": _file(raw, "abime.csv")},
    )
    upload = HistoryUpload.objects.get()
    services_values = {
        "eligibility.criteria": {"Demandeur d'emploi longue durée": "long_term_jobseeker"},
        "assignment.modality": {"CDD d'insertion": "subcontract_siae"},
    }
    upload.values = services_values
    upload.save()
    assert response.status_code == 302
    page = facilitator.get(reverse("history:check", args=[upload.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "à corriger : l'import n'est pas possible" in html
    assert page.context["problem_count"] > 0
    first = page.context["page"].object_list[0]
    assert first.line >= 1 and first.message
    refused = facilitator.post(reverse("history:run", args=[upload.pk]))
    assert refused.status_code == 422
    assert not HistoryImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "vide.csv", "Le fichier"),
        (b"PK\x03\x04 pas un classeur", "faux.xlsx", "Le fichier n'a pas pu être lu"),
        (b"Nom;Prenom\n", "entete.csv", "Le fichier n'a pas pu être lu"),
        (b"MZ\x90\x00", "programme.exe", "Le fichier doit être au format CSV ou XLSX."),
        (b"=cmd|' /C calc'!A0;b\n1;2\n", "formule.csv", "Le fichier n'a pas pu être lu"),
    ],
)
def test_hostile_files_are_refused_in_french(facilitator, fw, content, name, message):  # noqa: F811
    response = facilitator.post(
        reverse("history:upload"),
        {"structure": fw.base.s93.pk, "file": _file(content, name)},
    )
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html
    assert not HistoryUpload.objects.exists()


def test_a_column_feeds_one_field(facilitator, fw):  # noqa: F811
    _upload(facilitator, fw)
    upload = HistoryUpload.objects.get()
    data = {f"col_{i}": wizard.NOT_IMPORTED for i in range(len(demo.HEADERS_B))}
    data["col_0"] = data["col_1"] = "person.last_name"
    response = facilitator.post(reverse("history:columns", args=[upload.pk]), data)
    assert response.status_code == 200
    assert "est déjà associé à la colonne « NOM »" in response.content.decode()


def test_csrf_is_checked(fw):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    login(client, membership(fw))
    response = _upload(client, fw)
    assert response.status_code == 403
    assert not HistoryUpload.objects.exists()


def test_profiles_page_renames_shares_and_deletes(facilitator, fw):  # noqa: F811
    actor = fw.actor("facilitator")
    profile = services.save_profile(
        actor=actor, structure=fw.base.s93, name="Logiciel A", columns=demo.PROFILE_A_COLUMNS
    )
    services.save_profile(
        actor=actor, structure=fw.base.s93, name="Tableur", columns=demo.PROFILE_B_COLUMNS
    )
    page = facilitator.get(reverse("history:profiles"))
    assert page.status_code == 200
    assert "Logiciel A" in page.content.decode()
    taken = facilitator.post(
        reverse("history:profile_edit", args=[profile.pk]), {"name": "Tableur"}
    )
    assert taken.status_code == 422
    assert "porte déjà ce nom" in taken.content.decode()
    response = facilitator.post(
        reverse("history:profile_edit", args=[profile.pk]),
        {"name": "Logiciel A, export mensuel", "shared_in_department": "on"},
    )
    assert response["Location"] == reverse("history:profiles")
    profile.refresh_from_db()
    assert profile.name == "Logiciel A, export mensuel" and profile.shared_in_department
    confirm = facilitator.get(reverse("history:profile_delete", args=[profile.pk]))
    assert confirm.status_code == 200
    facilitator.post(reverse("history:profile_delete", args=[profile.pk]))
    assert not MappingProfile.objects.filter(pk=profile.pk).exists()


def test_demo_samples_only_in_demo_mode(facilitator, settings):
    url = reverse("history:sample", args=["tableur-de-suivi"])
    assert facilitator.get(url).status_code == 404
    settings.DEMO_MODE = True
    response = facilitator.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=iso-8859-1"
    assert "MAITRE D'OUVRAGE".encode("latin-1") in response.content
    xlsx = facilitator.get(reverse("history:sample", args=["logiciel-a"]))
    assert xlsx.content[:2] == b"PK"
    assert facilitator.get(reverse("history:sample", args=["inconnu"])).status_code == 404


def test_list_pages_query_budgets(facilitator, fw, django_assert_max_num_queries):  # noqa: F811
    actor = fw.actor("facilitator")

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            services.save_profile(
                actor=actor, structure=fw.base.s93, name=f"Profil {n}", columns={}
            )
            HistoryImport.objects.create(
                structure=fw.base.s93, imported_by_id=actor.user_id, file_name=f"f{n}.csv"
            )

    add(2, 0)
    budgets = {"history:index": 13, "history:profiles": 13}
    for name, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert facilitator.get(reverse(name)).status_code == 200
    add(25, 10)
    for name, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            response = facilitator.get(reverse(name))
        assert response.status_code == 200
        assert len(response.context["rows"]) >= 20


def test_the_report_shows_the_hours_that_do_not_count(facilitator, fw):  # noqa: F811
    record = HistoryImport.objects.create(
        structure=fw.base.s93,
        file_name="historique.csv",
        counts={"person": {"created": 3, "matched": 1, "skipped": 0}},
        uncounted=[
            {
                "market": "HIST-2023-014",
                "lot": 1,
                "clause": "Condition d'exécution",
                "rule": "before_eligibility",
                "reason": "avant la validation de l'éligibilité",
                "hours": "1234.50",
            }
        ],
    )
    html = facilitator.get(reverse("history:report", args=[record.pk])).content.decode()
    assert "Heures importées qui ne comptent pas" in html
    assert "avant la validation de l&#x27;éligibilité" in html
    assert "1\u202f234,5" in html
    assert "<td>3</td>" in html and "<td>1</td>" in html
    assert "Enregistrer le profil" not in html  # no upload of this user behind it


def test_many_problems_are_paginated_and_hostile_posts_answered(facilitator, fw):  # noqa: F811
    rows = "\n".join(f"NOM{n};;pas une date" for n in range(80))
    raw = f"NOM;PRENOM;NE(E) LE\n{rows}\n".encode()
    facilitator.post(
        reverse("history:upload"), {"structure": fw.base.s93.pk, "file": _file(raw, "p.csv")}
    )
    upload = HistoryUpload.objects.get()
    url = reverse("history:check", args=[upload.pk])
    first = facilitator.get(url)
    assert first.context["problem_count"] > 50
    assert len(first.context["page"].object_list) == 50
    assert "Page suivante" in first.content.decode()
    # The next pages read the check just made (the file is not read again)…
    upload.file.delete(save=False)
    second = facilitator.get(url + "?page=2")
    assert second.context["page"].number == 2
    assert second.context["problem_count"] == first.context["problem_count"]
    assert facilitator.get(url + "?page=abc").status_code == 200
    # … the first page checks again: a file gone is said in French, back to the upload.
    gone = facilitator.get(url, follow=True)
    assert gone.redirect_chain[-1][0] == reverse("history:upload")
    assert "le fichier déposé n&#x27;est plus disponible" in gone.content.decode()
    # Forged choices: a field that does not exist, a code that does not exist.
    upload.file.save("p.csv", ContentFile(raw), save=True)
    forged = facilitator.post(reverse("history:columns", args=[upload.pk]), {"col_0": "evil"})
    assert forged.status_code == 200 and forged.context["form"].errors
    upload.columns = {"eligibility.criteria": "NOM"}
    upload.save()
    page = facilitator.get(reverse("history:values", args=[upload.pk]))
    name = next(iter(page.context["form"].fields))
    forged = facilitator.post(reverse("history:values", args=[upload.pk]), {name: "evil"})
    assert forged.status_code == 200 and forged.context["form"].errors[name]
