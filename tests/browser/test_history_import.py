"""History import in a browser (#14.1): the demo departmental coordinator migrates the demo
facilitator's structure from the second sample export (the first one is imported by the
demo): upload, columns suggested from the headers, the two unknown labels mapped, the check,
the import, its report, the mapping saved as a profile, renamed, then the next export in
two clicks with it. axe-core on every page of the wizard and of the profiles."""

import re

from playwright.sync_api import expect

from clauses.accounts.models import Membership
from clauses.history import demo
from clauses.history.models import HistoryImport, MappingProfile
from tests.browser.test_programme_flow import sign_in
from tests.history.test_views import next_export

COORDINATOR = "coordination93@demo.clauses.example"


def test_coordinator_migrates_a_structure_history(page, axe, tmp_path):
    structure = Membership.objects.get(user__email=demo.FACILITATOR_EMAIL).organisation.structure
    assert HistoryImport.objects.filter(structure=structure).count() == 1  # export A, by the demo
    sample = tmp_path / "tableur-de-suivi.csv"
    sample.write_bytes(demo.tableur_de_suivi())

    sign_in(page, COORDINATOR)
    page.goto("/historique/")
    expect(page.locator("h1")).to_have_text("Import d'historique")
    expect(page.locator("#table-imports")).to_contain_text("export-logiciel-A.xlsx")
    axe(page)

    page.get_by_role("link", name="Importer un fichier").click()
    expect(page.locator("h1")).to_have_text("Importer l'historique d'une structure")
    expect(page.locator("#exemples-demo")).to_contain_text("Tableur de suivi")
    axe(page)
    page.get_by_label("Structure facilitatrice").select_option(label=structure.name)
    page.get_by_label("Fichier de l'historique").set_input_files(str(sample))
    page.get_by_role("button", name="Continuer").click()

    expect(page.locator("h1")).to_have_text("Quelle colonne contient quoi ?")
    expect(page.get_by_label("NE(E) LE")).to_have_value("person.birth_date")
    expect(page.get_by_label("NB HEURES")).to_have_value("hours.hours")
    axe(page)
    page.get_by_role("button", name="Continuer").click()

    expect(page.locator("h1")).to_have_text("Que veut dire chaque valeur ?")
    expect(page.locator("#valeurs-inconnues")).to_contain_text("2 valeurs non reconnues")
    axe(page)
    page.get_by_label("« Demandeur d'emploi longue durée »").select_option("long_term_jobseeker")
    page.get_by_label("« CDD d'insertion »").select_option("subcontract_siae")
    page.get_by_role("button", name="Continuer").click()

    expect(page.locator("h1")).to_have_text("Vérification avant import")
    expect(page.locator("#verification-ok")).to_be_visible()
    expect(page.locator("#apercu-import")).to_contain_text("Personnes")
    axe(page)
    page.get_by_role("button", name="Importer").click()

    expect(page.locator("h1")).to_have_text("Compte rendu de l'import")
    expect(page.locator("#compte-rendu")).to_contain_text("Personnes")
    axe(page)
    assert HistoryImport.objects.filter(structure=structure).count() == 2
    page.get_by_label("Nom du profil").fill("Tableur de la structure")
    page.locator("label[for=profil_shared_in_department]").click()
    page.get_by_role("button", name="Enregistrer le profil").click()

    expect(page.locator("h1")).to_have_text("Profils de correspondance")
    expect(page.locator("#table-profils")).to_contain_text("Tableur de la structure")
    axe(page)
    saved = MappingProfile.objects.get(name="Tableur de la structure")
    assert saved.shared_in_department and saved.structure == structure
    page.goto(f"/historique/profils/{saved.pk}/modifier/")
    expect(page.locator("h1")).to_contain_text("Modifier le profil")
    axe(page)
    page.get_by_label("Nom du profil").fill("Tableur de suivi, mis à jour")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#table-profils")).to_contain_text("Tableur de suivi, mis à jour")

    # The next export of the same tool: two clicks (« Utiliser », then upload → check).
    following = tmp_path / "tableur-de-suivi-2.csv"
    following.write_bytes(next_export())
    page.get_by_role("link", name="Utiliser le profil Tableur de suivi, mis à jour").click()
    page.get_by_label("Structure facilitatrice").select_option(label=structure.name)
    page.get_by_label("Fichier de l'historique").set_input_files(str(following))
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(re.compile(r"/historique/envoi/\d+/verification/"))
    expect(page.locator("#verification-ok")).to_be_visible()

    page.goto(f"/historique/profils/{saved.pk}/supprimer/")
    expect(page.locator("h1")).to_contain_text("Supprimer le profil")
    axe(page)
    page.get_by_role("button", name="Supprimer le profil").click()
    expect(page.locator("#table-profils")).not_to_contain_text("mis à jour")
