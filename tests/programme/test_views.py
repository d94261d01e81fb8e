"""Programme pages: upload in two steps, mapping and errors, the annotated programme with
its query budget, review, conversion into a planned market, export, who opens what."""

import io
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clauses.desk.enums import PublicationTiming
from clauses.markets.enums import MarketStatus
from clauses.programme import imports, services
from clauses.programme.models import Programme, ProgrammeLine
from tests.markets.test_conversion import file_request
from tests.markets.test_views_markets import log_in
from tests.programme.helpers import ROWS, csv_bytes, xlsx

LIST = "/programmation/"


def text(response) -> str:  # noqa: ANN001
    return unescape(response.content.decode())


def make_programme(world, rows=None, title="Programmation test"):  # noqa: ANN001, ANN201
    sheet = imports.read(xlsx(rows), "programme.xlsx")
    programme, problems = services.import_programme(
        actor=world.admin,
        buyer=world.buyer,
        title=title,
        file_name="programme.xlsx",
        sheet=sheet,
        mapping=imports.suggest_mapping(sheet.headers),
    )
    assert programme is not None, problems
    return programme


@pytest.mark.django_db
def test_a_buyer_uploads_maps_and_sees_its_programme(client, world):
    log_in(client, world, "buyer")
    response = client.get("/programmation/importer/")
    assert response.status_code == 200
    upload = SimpleUploadedFile("programmation.xlsx", xlsx())
    response = client.post(
        "/programmation/importer/", {"title": "Programmation 2027", "file": upload}
    )
    assert (
        response.status_code == 302 and response["Location"] == "/programmation/importer/colonnes/"
    )
    page = client.get("/programmation/importer/colonnes/")
    html = text(page)
    assert "Objet de la consultation" in html and "Nettoyage des écoles" in html
    # The suggested columns are selected.
    assert 'value="0" selected' in html
    form = {
        f.key: str(i)
        for f, i in (
            (imports.FIELD_BY_KEY[k], v)
            for k, v in imports.suggest_mapping(
                [
                    "Objet de la consultation",
                    "CPV",
                    "Famille d'achat",
                    "Lieu d'exécution",
                    "Montant estimé HT (€)",
                    "Durée (mois)",
                    "Date prévisionnelle de lancement",
                    "Nature du marché",
                ]
            ).items()
        )
    }
    response = client.post("/programmation/importer/colonnes/", form)
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/programmation/{programme.pk}/"
    assert programme.buyer == world.buyer and programme.title == "Programmation 2027"
    html = text(client.get(f"/programmation/{programme.pk}/"))
    assert "Nettoyage des écoles" in html and "Clause d'insertion" in html
    assert "1 000 heures" not in html  # hours are shown per line, the sum in the summary
    assert text(client.get(LIST)).count("data-programme=") == 1


@pytest.mark.django_db
def test_mapping_errors_are_listed_by_line_and_column_and_nothing_is_written(client, world):
    log_in(client, world, "buyer")
    rows = [list(r) for r in ROWS]
    rows[1][4] = "beaucoup"
    client.post("/programmation/importer/", {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))})
    form = {"title": "0", "amount_ht": "4", "kind": "7", "cpv": "1"}
    response = client.post("/programmation/importer/colonnes/", form)
    html = text(response)
    assert response.status_code == 200
    assert "Import refusé : rien n'a été enregistré" in html
    assert "Montant estimé HT (€)" in html and "« beaucoup » n'est pas un montant" in html
    assert not Programme.objects.exists()
    # Two fields on one column: a form error.
    response = client.post("/programmation/importer/colonnes/", {"title": "0", "description": "0"})
    assert "déjà choisie" in text(response)


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_on_the_first_step(client, world):
    log_in(client, world, "buyer")
    response = client.post(
        "/programmation/importer/",
        {"file": SimpleUploadedFile("p.xlsx", b"PK\x03\x04pas un classeur")},
    )
    assert response.status_code == 200
    assert "XLSX lisible" in text(response)


@pytest.mark.django_db
def test_the_facilitator_reviews_and_the_buyer_sees_the_annotation(client, world):
    programme = make_programme(world)
    line = programme.lines.get(number=3)
    log_in(client, world, "facilitator")
    url = f"/programmation/ligne/{line.pk}/revue/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "changed", "chosen": ""})
    assert "Choisissez la considération sociale retenue" in text(response)
    response = client.post(
        url,
        {
            "decision": "changed",
            "chosen": "reserved_siae",
            "comment": "Deux régies de quartier peuvent répondre.",
            "to_discuss": "on",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.retained == "reserved_siae" and line.to_discuss
    client.logout()
    log_in(client, world, "buyer")
    html = text(client.get(f"/programmation/{programme.pk}/?filtre=a_discuter"))
    assert "Deux régies de quartier peuvent répondre." in html
    assert html.count("data-line=") == 1
    assert "Revoir la ligne" not in html  # the buyer reads, the network reviews
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_line_becomes_a_planned_market_in_one_step(client, world):
    programme = make_programme(world)
    line = programme.lines.get(number=4)
    log_in(client, world, "buyer")
    response = client.post(f"/programmation/ligne/{line.pk}/marche/")
    line.refresh_from_db()
    market = line.market
    assert response.status_code == 302 and response["Location"] == f"/marches/{market.pk}/"
    assert market.status == MarketStatus.PLANNED and market.buyer == world.buyer
    assert market.subject == line.title and market.estimated_amount_ht == line.amount_ht
    assert market.consultation_launch_date == line.launch_date
    assert line.publication_timing == PublicationTiming.BEFORE
    # Once only.
    assert client.post(f"/programmation/ligne/{line.pk}/marche/").status_code == 403


@pytest.mark.django_db
def test_the_desk_request_linked_on_review_goes_with_the_market(client, world):
    programme = make_programme(world)
    line = programme.lines.get(number=4)
    request = file_request(world)
    request.buyer_organisation = world.buyer
    request.save(update_fields=["buyer_organisation"])
    facilitator = world.actor("facilitator")
    services.review_line(actor=facilitator, line=line, decision="kept", desk_request=request)
    market = services.convert_line(actor=facilitator, line=line)
    assert market.following_structure == world.s93
    request.refresh_from_db()
    assert market.desk_request == request and request.converted_market_id == market.pk
    assert market.subject == line.title  # the line's facts, not the request's


@pytest.mark.django_db
def test_export_has_every_line_with_reasons_and_neutralised_cells(client, world):
    rows = [list(r) for r in ROWS]
    rows[0][0] = "- Lot unique : nettoyage"
    programme = make_programme(world, rows)
    services.review_line(
        actor=world.actor("facilitator"),
        line=programme.lines.get(number=3),
        decision="kept",
        comment="@commentaire",
    )
    log_in(client, world, "buyer")
    response = client.get(f"/programmation/{programme.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[2]
    assert header[0] == "Ligne" and "Motifs des recommandations" in header
    body = values[3:]
    assert len(body) == 4
    assert body[0][1] == "'- Lot unique : nettoyage"
    comments = [row[header.index("Commentaire du facilitateur")] for row in body]
    assert "'@commentaire" in comments
    assert all(row[header.index("Motifs des recommandations")] for row in body)
    # Amounts and hours are number cells with their formats (#12.12).
    column = header.index("Montant estimé HT (€)") + 1
    amounts = [sheet.cell(4 + i, column) for i in range(4) if body[i][column - 1] is not None]
    assert amounts and all(isinstance(c.value, int | float) for c in amounts)
    assert all(c.number_format == '#,##0.00\\ "€"' for c in amounts)
    column = header.index("Heures d'insertion estimées") + 1
    hours = [sheet.cell(4 + i, column) for i in range(4) if body[i][column - 1] is not None]
    assert hours and all(
        isinstance(c.value, int | float) and c.number_format == "#,##0" for c in hours
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "list_status", "detail_status"),
    [
        ("buyer", 200, 200),
        ("buyer75", 200, 404),
        ("facilitator", 200, 200),
        ("facilitator75", 200, 404),
        ("coordinator93", 200, 200),
        ("coordinator75", 200, 404),
        ("company", 403, 403),
    ],
)
def test_who_opens_what(client, world, who, list_status, detail_status):
    programme = make_programme(world)
    log_in(client, world, who)
    assert client.get(LIST).status_code == list_status
    assert client.get(f"/programmation/{programme.pk}/").status_code == detail_status
    assert client.get(f"/programmation/{programme.pk}/export.xlsx").status_code == detail_status


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, world):
    programme = make_programme(world)
    response = client.get(f"/programmation/{programme.pk}/")
    assert (
        response.status_code == 302
        and "connexion" in response["Location"]
        or "login" in response["Location"]
    )


@pytest.mark.django_db
def test_list_and_programme_pages_have_a_query_budget(client, world, django_assert_max_num_queries):
    for n in range(3):
        make_programme(world, title=f"Programmation {n}")
    programme = make_programme(world, [list(ROWS[n % 4]) for n in range(40)])
    log_in(client, world, "facilitator")
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(15):
        response = client.get(LIST)
    assert text(response).count("data-programme=") == 4
    with django_assert_max_num_queries(25):
        response = client.get(f"/programmation/{programme.pk}/")
    assert text(response).count("data-line=") == 25
    with django_assert_max_num_queries(25):
        client.get(f"/programmation/{programme.pk}/?page=2")
    assert ProgrammeLine.objects.filter(programme=programme).count() == 40


@pytest.mark.django_db
def test_admin_lists_programmes_read_only(client, world):
    from tests.accounts.factories import UserFactory
    from tests.followup.test_admin import _logged_in

    admin_client = _logged_in(client, UserFactory(is_superuser=True, is_staff=True))
    programme = make_programme(world)
    assert admin_client.get("/admin/programme/programme/").status_code == 200
    assert admin_client.get("/admin/programme/programmeline/").status_code == 200
    line = programme.lines.first()
    page = admin_client.get(f"/admin/programme/programmeline/{line.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


@pytest.mark.django_db
def test_a_facilitator_uploads_for_a_buyer_of_its_territory_only(client, world):
    log_in(client, world, "facilitator")
    page = text(client.get("/programmation/importer/"))
    assert world.buyer.name in page and world.buyer75.name not in page
    response = client.post(
        "/programmation/importer/",
        {"buyer": world.buyer75.pk, "file": SimpleUploadedFile("p.xlsx", xlsx())},
    )
    assert response.status_code == 200  # not a choice
    response = client.post(
        "/programmation/importer/",
        {"buyer": world.buyer.pk, "file": SimpleUploadedFile("p.xlsx", xlsx())},
    )
    assert response.status_code == 302
    columns = {
        k: str(v)
        for k, v in imports.suggest_mapping(imports.read(xlsx(), "p.xlsx").headers).items()
    }
    response = client.post("/programmation/importer/colonnes/", columns)
    assert Programme.objects.get().buyer == world.buyer


@pytest.mark.django_db
def test_reanalysis_keeps_the_review_and_follows_a_new_territory_preset(client, world):
    from clauses.markets.models import HourPresetSetting

    programme = make_programme(world)
    line = programme.lines.get(number=5)  # green spaces: no sourced preset
    assert line.hours is None
    facilitator = world.actor("facilitator")
    services.review_line(actor=facilitator, line=line, decision="kept", comment="Vu.")
    from tests.markets.conftest import departmental

    HourPresetSetting.objects.create(
        coordination=departmental("93"),
        department=world.buyer.department,
        code="espaces_verts",
        label="Espaces verts (93)",
        labour_share="0.60",
        hourly_cost="25",
        insertion_rate="0.05",
        source="Coordination 93, pratique locale",
        sector="standard",
    )
    log_in(client, world, "facilitator")
    response = client.post(f"/programmation/{programme.pk}/analyse/")
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.hours == 114  # 95,000 × 60 % ÷ 25 × 5 %
    assert line.comment == "Vu." and line.decision == "kept"


@pytest.mark.django_db
def test_delete_a_programme_while_no_line_became_a_market(client, world):
    programme = make_programme(world)
    log_in(client, world, "buyer")
    response = client.post(f"/programmation/{programme.pk}/supprimer/")
    assert response.status_code == 302 and not Programme.objects.exists()


@pytest.mark.django_db
def test_the_template_is_recognised_by_the_mapping(client, world):
    log_in(client, world, "buyer")
    response = client.get("/programmation/modele.xlsx")
    assert response.status_code == 200
    sheet = imports.read(response.content, "modele.xlsx")
    mapping = imports.suggest_mapping(sheet.headers)
    assert set(mapping) == {field.key for field in imports.FIELDS}
    assert imports.validate(sheet, mapping).ok


@pytest.mark.django_db
def test_keep_every_pending_recommendation_at_once(client, world):
    programme = make_programme(world)
    services.review_line(
        actor=world.actor("facilitator"),
        line=programme.lines.get(number=3),
        decision="changed",
        chosen="none",
    )
    log_in(client, world, "buyer")
    assert client.post(f"/programmation/{programme.pk}/conserver/").status_code == 403
    client.logout()
    log_in(client, world, "facilitator")
    response = client.post(f"/programmation/{programme.pk}/conserver/")
    assert response.status_code == 302
    decisions = dict(programme.lines.values_list("number", "decision"))
    assert decisions == {3: "changed", 4: "kept", 5: "kept", 6: "kept"}
