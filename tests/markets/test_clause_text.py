"""Clause text from a lot's consideration: HTML with the hours and the facilitator, DOCX
read back with python-docx, ODT read back as a zip; territory templates with placeholders,
never executed."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from clauses.markets import clause_text, services
from clauses.markets.enums import ConsiderationKind


@pytest.fixture
def clause(world):  # noqa: ANN201
    market = world.market(subject="Groupe scolaire <Pasteur> & annexes")
    return services.set_consideration(
        actor=world.admin,
        lot=market.lots.get(),
        kind=ConsiderationKind.EXECUTION_CONDITION,
        eligible_publics=["long_term_unemployed", "qpv_residents"],
        modalities=["direct_hire", "etti", "ai_geiq", "subcontracting", "training"],
        calculation={"preset": "batiment"},
        penalty_per_missing_hour=Decimal(60),
    )


def test_html_has_the_hours_the_facilitator_and_escapes_values(clause):
    html = clause_text.clause_html(clause)
    assert "833 heures" in html
    assert "Camille Facile" in html
    assert "camille.facile@exemple.fr" in html
    assert "60 €" in html
    assert "Habitants des quartiers prioritaires (QPV)" in html
    assert "entreprise de travail temporaire d'insertion" in html.replace("&#x27;", "'")
    assert "&lt;Pasteur&gt; &amp; annexes" in html
    assert "<Pasteur>" not in html
    assert html.count("<li>") == 7  # 2 publics + 5 modalities


def test_docx_opens_back_with_the_clause(clause):
    document = Document(io.BytesIO(clause_text.clause_docx(clause)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "833 heures" in text
    assert "Camille Facile" in text
    assert "Groupe scolaire <Pasteur> & annexes" in text
    assert document.core_properties.title.startswith("Clause d'insertion")


def test_odt_is_a_valid_zip_with_the_clause_in_content_xml(clause):
    data = clause_text.clause_odt(clause)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names[0] == "mimetype"
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "META-INF/manifest.xml" in names
        content = archive.read("content.xml").decode()
    assert "833 heures" in content
    assert "Camille Facile" in content
    assert "&lt;Pasteur&gt; &amp; annexes" in content
    from xml.dom.minidom import parseString

    parseString(content)  # noqa: S318 — our own output: well-formed XML


def test_no_facilitator_and_no_penalty_say_so(world):
    market = world.market(facilitator=None, following_structure=None)
    clause = services.set_consideration(
        actor=world.admin,
        lot=market.lots.get(),
        kind=ConsiderationKind.EXECUTION_CONDITION,
    )
    text = clause_text.clause_document(clause).plain_text()
    assert "(à préciser)" in text
    assert "(montant à préciser)" in text


@pytest.mark.parametrize("kind", list(ConsiderationKind.values))
def test_every_kind_has_a_default_template_with_known_placeholders(kind):
    title, body = clause_text.DEFAULT_TEMPLATES[kind]
    clause_text.validate_template_body(body)
    assert title


def test_a_territory_template_replaces_the_default_and_is_never_executed(world, clause):
    coordinator = world.actor("coordinator93")
    body = (
        "Le titulaire réalise {heures} heures pour {acheteur}.\n"
        "\n"
        "## Suivi\n"
        "- Facilitateur : {facilitateur}\n"
        "- {{ settings.SECRET_KEY }} {% debug %} <script>alert(1)</script>\n"
    )
    services.save_clause_template(
        actor=coordinator,
        kind=ConsiderationKind.EXECUTION_CONDITION,
        title="Clause sociale du 93",
        body=body,
        department_code="93",
    )
    document = clause_text.clause_document(clause)
    assert document.title == "Clause sociale du 93"
    assert "Seine-Saint-Denis" in document.origin
    html = clause_text.to_html(document)
    assert "Le titulaire réalise 833 heures pour Ville de Saint-Denis (test)." in html
    assert "<li>Facilitateur : Camille Facile</li>" in html
    assert "{{ settings.SECRET_KEY }} {% debug %} &lt;script&gt;" in html
    assert "<script>" not in html


def test_unknown_placeholders_are_refused(world):
    with pytest.raises(ValidationError) as error:
        services.save_clause_template(
            actor=world.actor("coordinator93"),
            kind=ConsiderationKind.EXECUTION_CONDITION,
            title="Clause",
            body="Le titulaire réalise {heurs} heures.",
            department_code="93",
        )
    assert "{heurs}" in str(error.value)


def test_only_the_territory_coordination_edits_templates(world):
    for who in ("buyer", "facilitator", "coordinator75"):
        with pytest.raises(PermissionDenied):
            services.save_clause_template(
                actor=world.actor(who),
                kind=ConsiderationKind.EXECUTION_CONDITION,
                title="Clause",
                body="{heures} heures.",
                department_code="93",
            )


def test_download_name_is_safe(clause):
    clause.lot.market.reference = "2026/TX 014 «é»"
    assert clause_text.download_name(clause, "docx") == "clause-2026-TX-014-lot-1.docx"
