"""Import page (templates, happy and bad paths, all or nothing) and the territory settings
of a coordination (presets, clause templates with preview and reset)."""

import io
from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clauses.markets import imports
from clauses.markets.models import ClauseTemplate, HourPresetSetting, Market
from tests.markets.test_imports import csv_file, row
from tests.markets.test_views_markets import log_in


def text(response) -> str:  # noqa: ANN001
    return unescape(response.content.decode())


def upload(content: bytes, name: str = "marches.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


# ---------------------------------------------------------------------------------------
# Import


def test_import_templates_download(client, world):
    log_in(client, world, "buyer")
    response = client.get("/marches/import/modele.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="modele-import-marches.csv"' in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").startswith("Référence;Objet")
    response = client.get("/marches/import/modele.xlsx")
    assert 'filename="modele-import-marches.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "Référence"
    assert client.get("/marches/import/modele.exe").status_code == 404


def test_import_page_permissions(client, world):
    for who, status in (
        ("buyer", 200),
        ("facilitator", 200),
        ("coordinator93", 200),
        ("company", 403),
    ):
        log_in(client, world, who)
        assert client.get("/marches/import/").status_code == status, who


def test_import_happy_path(client, world):
    log_in(client, world, "buyer")
    content = csv_file(row(), row(reference="2026-TX-015", subject="Voirie"))
    response = client.post("/marches/import/", {"file": upload(content)})
    assert response.status_code == 200
    html = text(response)
    assert "Import réussi" in html
    assert "2 ligne(s) lue(s) : 2 marché(s) créé(s)" in html
    assert Market.objects.filter(buyer=world.buyer).count() == 2


def test_import_errors_are_listed_and_nothing_is_written(client, world):
    log_in(client, world, "buyer")
    content = csv_file(row(), row(reference="2026-TX-015", estimated_amount_ht="beaucoup"))
    response = client.post("/marches/import/", {"file": upload(content)})
    assert response.status_code == 400
    html = text(response)
    assert "Import refusé : rien n'a été enregistré" in html
    assert 'id="erreurs-import"' in html
    assert "<td>3</td>" in html and "Montant estimé HT" in html
    assert not Market.objects.exists()


def test_import_refuses_other_formats_and_missing_file(client, world):
    log_in(client, world, "buyer")
    response = client.post("/marches/import/", {"file": upload(b"x", "marches.pdf")})
    assert response.status_code == 400
    assert "CSV ou XLSX" in text(response)
    response = client.post("/marches/import/", {})
    assert response.status_code == 400
    assert 'id="resume-erreurs"' in text(response)


def test_a_facilitator_imports_for_a_buyer_of_its_departement(client, world):
    log_in(client, world, "facilitator")
    response = client.post(
        "/marches/import/", {"buyer": world.buyer75.pk, "file": upload(csv_file(row()))}
    )
    assert response.status_code == 400  # not a choice: outside the département
    response = client.post(
        "/marches/import/", {"buyer": world.buyer.pk, "file": upload(csv_file(row()))}
    )
    assert response.status_code == 200
    assert Market.objects.get().buyer == world.buyer
    assert len(imports.COLUMNS) > 5


# ---------------------------------------------------------------------------------------
# Territory settings


def test_territory_settings_permissions(client, world):
    for who, index, page in (
        ("coordinator93", 302, 200),
        ("coordinator75", 302, 403),
        ("facilitator", 403, 403),
        ("buyer", 403, 403),
    ):
        log_in(client, world, who)
        assert client.get("/marches/territoire/").status_code == index, who
        assert client.get("/marches/territoire/93/").status_code == page, who


def test_coordination_sets_a_preset_for_its_departement(client, world):
    log_in(client, world, "coordinator93")
    html = text(client.get("/marches/territoire/93/"))
    assert html.count("<h1") == 1 and "Bâtiment, moyenne des lots" in html
    url = "/marches/territoire/93/prereglages/batiment/"
    assert 'value="50"' in text(client.get(url))
    response = client.post(
        url,
        {
            "label": "Bâtiment 93",
            "sector": "standard",
            "insertion_rate": "7,5",
            "source": "Délibération de la coordination, 2026",
            "verified": "on",
        },
    )
    assert response.status_code == 302
    setting = HourPresetSetting.objects.get(code="batiment")
    assert str(setting.insertion_rate) == "0.0750" and setting.labour_share is None
    calculator = text(
        client.get(
            "/marches/calculateur/",
            {"departement": "93", "preset": "batiment", "amount_ht": "1000000"},
        )
    )
    assert 'data-hours="1250"' in calculator
    response = client.post(
        "/marches/territoire/93/prereglages/nouveau/",
        {
            "code": "espaces_verts",
            "label": "",
            "sector": "standard",
            "labour_share": "abc",
            "source": "",
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert "n'est pas un nombre" in html and 'id="resume-erreurs"' in html


def test_coordination_edits_previews_and_resets_a_clause_template(client, world):
    log_in(client, world, "coordinator93")
    url = "/marches/territoire/93/modeles/execution_condition/"
    html = text(client.get(url))
    assert "Modèle par défaut de la plateforme" in html and "{heures}" in html
    body = "Le titulaire réalise {heures} heures pour {acheteur}.\n\n{publics}"
    response = client.post(url, {"title": "Clause 93", "body": body, "action": "preview"})
    assert response.status_code == 200
    assert "Le titulaire réalise 833 heures pour Ville exemple." in text(response)
    assert not ClauseTemplate.objects.exists()
    response = client.post(url, {"title": "Clause 93", "body": "{heurs} heures"})
    assert response.status_code == 400
    assert "Champs inconnus : {heurs}" in text(response)
    response = client.post(url, {"title": "Clause 93", "body": body, "action": "save"})
    assert response.status_code == 302
    assert ClauseTemplate.objects.get().title == "Clause 93"
    assert "Revenir au modèle par défaut" in text(client.get(url))
    response = client.post("/marches/territoire/93/modeles/execution_condition/reinitialiser/")
    assert response.status_code == 302
    assert not ClauseTemplate.objects.exists()
    assert client.get("/marches/territoire/93/modeles/inconnu/").status_code == 404
