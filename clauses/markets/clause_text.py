"""The text of a social clause for the tender documents: HTML to copy, DOCX and ODT files.

Templates are plain text written by a coordination for its territory (`ClauseTemplate`),
or the default of each kind shipped below. The template language is deliberately tiny and
never executed:

- `{heures}`, `{facilitateur}`… (see `PLACEHOLDERS`) are replaced by values, escaped for
  the output format; an unknown `{name}` is refused when a template is saved and left as
  typed when rendering;
- a blank line separates paragraphs; a line starting with `## ` is a heading, with `- ` an
  item of a bulleted list; a line holding only `{publics}` or `{modalites}` becomes a
  bulleted list of them (inline, they are joined with commas).

Sources of the default texts: CCAG 2021 art. 16.1 (the particular documents state the
perimeter, the facilitator's contact, the eligible publics, the hour volume, the
modalities and the penalties) and docs/domain-rules.md §1, §3, §4.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from clauses.markets import publics as default_publics
from clauses.markets.enums import (
    LEGAL_BASIS,
    ConsiderationKind,
    EligiblePublic,
    Modality,
)
from clauses.markets.models import ClauseTemplate, SocialConsideration
from clauses.territories.models import Department

PLACEHOLDERS: dict[str, str] = {
    "heures": "objectif d'heures d'insertion du lot (nombre entier)",
    "facilitateur": "nom du facilitateur ou de la facilitatrice qui suit le marché",
    "structure": "structure facilitatrice qui suit le marché",
    "contact_facilitateur": "adresse électronique et téléphone du facilitateur",
    "penalite": "pénalité par heure d'insertion non réalisée",
    "acheteur": "nom de l'acheteur",
    "marche": "objet du marché",
    "reference": "référence du marché",
    "lot": "numéro et intitulé du lot",
    "duree": "durée du marché en mois",
    "base_legale": "base légale de la considération sociale",
    "publics": "publics éligibles retenus",
    "modalites": "modalités de mise en œuvre proposées",
}
LIST_PLACEHOLDERS = ("publics", "modalites")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

_FOLLOW_UP = (
    "## Accompagnement par le facilitateur\n"
    "Le titulaire est accompagné par {facilitateur} ({structure}), facilitateur ou "
    "facilitatrice de la clause sociale, qui l'aide à identifier les candidats, valide "
    "l'éligibilité des personnes avant leur entrée sur le marché et suit l'exécution de "
    "l'engagement. Contact : {contact_facilitateur}.\n"
    "\n"
    "Le titulaire prend contact avec le facilitateur dès la notification du marché et, au "
    "plus tard, avant le démarrage des prestations ; le facilitateur est invité à la "
    "réunion de lancement et aux réunions de chantier.\n"
)

_REPORTING = (
    "## Suivi et justificatifs\n"
    "Chaque mois, le titulaire déclare les heures réalisées par chaque personne "
    "(contrats de travail, relevés d'heures, attestations de mise à disposition, "
    "factures de sous-traitance) et tient ces justificatifs à la disposition de "
    "l'acheteur et du facilitateur. Il remet un bilan à la fin du marché.\n"
)

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    ConsiderationKind.EXECUTION_CONDITION: (
        "Clause d'insertion sociale — condition d'exécution",
        "En application des articles L2112-2 et L2112-2-1 du Code de la commande publique, "
        "le titulaire du lot {lot} du marché « {marche} » (référence {reference}) réalise "
        "une action d'insertion professionnelle : il réserve au moins {heures} heures de "
        "travail à des personnes rencontrant des difficultés sociales ou professionnelles "
        "particulières, pendant l'exécution du marché.\n"
        "\n"
        "## Publics éligibles\n"
        "{publics}\n"
        "\n"
        "## Modalités de mise en œuvre\n"
        "Le titulaire choisit librement une ou plusieurs des modalités suivantes :\n"
        "{modalites}\n"
        "\n" + _FOLLOW_UP + "\n" + _REPORTING + "\n"
        "## Pénalités\n"
        "Si l'engagement n'est pas tenu du fait du titulaire, une pénalité de {penalite} "
        "par heure d'insertion non réalisée est appliquée, après mise en demeure restée "
        "sans effet.\n",
    ),
    ConsiderationKind.INSERTION_MARKET: (
        "Marché d'insertion et de qualification professionnelle",
        "Le marché « {marche} » (référence {reference}) a pour objet l'insertion et la "
        "qualification professionnelle de personnes éloignées de l'emploi ; l'activité "
        "support est le lot {lot}. Il est passé selon l'article R2123-1 3° du Code de la "
        "commande publique. Le volume de travail d'insertion attendu est d'au moins "
        "{heures} heures.\n"
        "\n"
        "## Publics éligibles\n"
        "{publics}\n"
        "\n" + _FOLLOW_UP + "\n" + _REPORTING,
    ),
    ConsiderationKind.AWARD_CRITERION: (
        "Critère d'attribution : performance en matière d'insertion professionnelle",
        "En application des articles L2152-7 et R2152-7 du Code de la commande publique, "
        "les offres du lot {lot} sont notamment jugées sur leur performance en matière "
        "d'insertion professionnelle des publics en difficulté. Le candidat présente les "
        "moyens qu'il mettra en œuvre (nombre d'heures, modalités, accompagnement, "
        "formation).\n"
        "\n"
        "## Publics concernés\n"
        "{publics}\n"
        "\n"
        "## Modalités que le candidat peut proposer\n"
        "{modalites}\n"
        "\n"
        "Le facilitateur de la clause sociale, {facilitateur} ({structure}), peut renseigner "
        "les candidats : {contact_facilitateur}.\n",
    ),
    ConsiderationKind.RESERVED_SIAE: (
        "Marché réservé aux structures d'insertion par l'activité économique",
        "En application de l'article L2113-13 du Code de la commande publique, le lot {lot} "
        "du marché « {marche} » est réservé aux structures d'insertion par l'activité "
        "économique mentionnées à l'article L5132-4 du code du travail et aux structures "
        "équivalentes, qui emploient au moins 50 % de travailleurs défavorisés "
        "(article R2113-7).\n"
        "\n"
        "Contact du facilitateur : {facilitateur} ({structure}), {contact_facilitateur}.\n",
    ),
    ConsiderationKind.RESERVED_EA_ESAT: (
        "Marché réservé aux entreprises adaptées et aux ESAT",
        "En application de l'article L2113-12 du Code de la commande publique, le lot {lot} "
        "du marché « {marche} » est réservé aux entreprises adaptées, aux établissements et "
        "services d'aide par le travail et aux structures équivalentes, qui emploient au "
        "moins 50 % de travailleurs handicapés (article R2113-7).\n"
        "\n"
        "Contact du facilitateur : {facilitateur} ({structure}), {contact_facilitateur}.\n",
    ),
    ConsiderationKind.RESERVED_BOTH: (
        "Marché réservé aux SIAE, aux entreprises adaptées et aux ESAT",
        "En application de l'article L2113-14 du Code de la commande publique, le lot {lot} "
        "du marché « {marche} » est réservé à la fois aux structures mentionnées à "
        "l'article L2113-12 (entreprises adaptées, ESAT) et à celles mentionnées à "
        "l'article L2113-13 (structures d'insertion par l'activité économique).\n"
        "\n"
        "Contact du facilitateur : {facilitateur} ({structure}), {contact_facilitateur}.\n",
    ),
    ConsiderationKind.OTHER: (
        "Considération sociale",
        "Le titulaire du lot {lot} du marché « {marche} » respecte la considération sociale "
        "suivante, définie avec le facilitateur {facilitateur} ({structure}, "
        "{contact_facilitateur}).\n",
    ),
}


def validate_template_body(body: str) -> None:
    """Refuse placeholders nobody knows (a typo would print `{heurs}` in a contract)."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        names = ", ".join(f"{{{name}}}" for name in unknown)
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise ValidationError(
            {"body": [f"Champs inconnus : {names}. Champs disponibles : {known}."]}
        )
    if not body.strip():
        raise ValidationError({"body": ["Le texte du modèle ne peut pas être vide."]})


# -- values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "list"
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClauseDocument:
    title: str
    blocks: tuple[Block, ...]
    origin: str  # where the template comes from, in words

    def plain_text(self) -> str:
        lines = [self.title, ""]
        for block in self.blocks:
            if block.kind == "list":
                lines.extend(f"- {item}" for item in block.items)
            else:
                lines.append(block.text)
            lines.append("")
        return "\n".join(lines).strip() + "\n"


def _euros(value: Decimal) -> str:
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return text.removesuffix(",00") + " €"


def _department_code(consideration: SocialConsideration) -> str | None:
    market = consideration.lot.market
    codes = sorted({c.department.code for c in market.execution_communes.all() if c.department_id})
    if codes:
        return codes[0]
    if market.buyer.department_id:
        return market.buyer.department.code
    return None


def values_for(consideration: SocialConsideration) -> dict[str, str | list[str]]:
    """The value of every placeholder for this consideration (plain text, not escaped)."""
    lot = consideration.lot
    market = lot.market
    facilitator = market.facilitator
    structure = market.following_structure
    contact_parts = []
    if facilitator is not None:
        contact_parts = [facilitator.email, facilitator.phone]
    if not any(contact_parts) and structure is not None:
        contact_parts = [structure.email, structure.phone]
    contact = ", ".join(part for part in contact_parts if part)
    hours = consideration.hours_target
    penalty = consideration.penalty_per_missing_hour
    # The clause's own publics and modalities; a clause stored before they were filled in
    # on creation lists the territory's publics and every modality (clauses.markets.publics).
    known = EligiblePublic.values
    public_codes = [code for code in consideration.eligible_publics if code in known]
    if not public_codes:
        public_codes = default_publics.territory_publics(
            _department_code(consideration), on=timezone.localdate()
        )
    publics = [EligiblePublic(code).label for code in public_codes]
    modality_codes = [code for code in consideration.modalities if code in Modality.values]
    modalities = [
        Modality(code).label for code in modality_codes or default_publics.default_modalities()
    ]
    return {
        "heures": f"{hours:,}".replace(",", "\u202f") if hours is not None else "(à préciser)",
        "facilitateur": facilitator.full_name if facilitator else "le facilitateur",
        "structure": structure.name if structure else "structure à désigner",
        "contact_facilitateur": contact or "(coordonnées à préciser)",
        "penalite": _euros(penalty) if penalty is not None else "(montant à préciser)",
        "acheteur": market.buyer.name,
        "marche": market.subject,
        "reference": market.reference,
        "lot": f"n° {lot.number} « {lot.title} »",
        "duree": f"{market.duration_months} mois" if market.duration_months else "(à préciser)",
        "base_legale": LEGAL_BASIS[consideration.kind],
        "publics": publics,
        "modalites": modalities,
    }


def template_for(kind: str, department_code: str | None) -> tuple[str, str, str]:
    """(title, body, origin) of the template that applies: the département's, else the
    region's, else the default shipped in code."""
    if department_code:
        department = (
            Department.objects.filter(code=department_code).select_related("region").first()
        )
        if department is not None:
            templates = {
                (t.department_id is not None): t
                for t in ClauseTemplate.objects.filter(kind=kind).filter(
                    Q(department=department) | Q(region_id=department.region_id)
                )
            }
            chosen = templates.get(True) or templates.get(False)
            if chosen is not None:
                where = department.name if chosen.department_id else department.region.name
                return chosen.title, chosen.body, f"Modèle du territoire ({where})"
    title, body = DEFAULT_TEMPLATES[kind]
    return title, body, "Modèle par défaut de la plateforme"


def _substitute(text: str, values: dict[str, str | list[str]]) -> str:
    def replace(match: re.Match) -> str:
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        return ", ".join(value) if isinstance(value, list) else value

    return _PLACEHOLDER.sub(replace, text)


def render_blocks(body: str, values: dict[str, str | list[str]]) -> tuple[Block, ...]:
    """Parse the template and fill it: plain text blocks, never executed."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", items=tuple(items)))
            items.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        whole = _PLACEHOLDER.fullmatch(line)
        if whole and whole.group(1) in LIST_PLACEHOLDERS:
            if paragraph:
                flush()
            value = values.get(whole.group(1)) or []
            items.extend(value if isinstance(value, list) else [value])
            continue
        if line.startswith("## "):
            flush()
            blocks.append(Block("heading", _substitute(line[3:].strip(), values)))
            continue
        if line.startswith("- "):
            if paragraph:
                flush()
            items.append(_substitute(line[2:].strip(), values))
            continue
        if items:
            flush()
        paragraph.append(_substitute(line, values))
    flush()
    return tuple(blocks)


def clause_document(consideration: SocialConsideration) -> ClauseDocument:
    """The clause of this consideration, from the template of its territory."""
    title, body, origin = template_for(consideration.kind, _department_code(consideration))
    values = values_for(consideration)
    return ClauseDocument(
        title=_substitute(title, values), blocks=render_blocks(body, values), origin=origin
    )


# -- outputs ---------------------------------------------------------------------------


def to_html(document: ClauseDocument) -> str:
    """HTML to copy into the tender documents; every value escaped."""
    parts = [f"<h2>{escape(document.title)}</h2>"]
    for block in document.blocks:
        if block.kind == "heading":
            parts.append(f"<h3>{escape(block.text)}</h3>")
        elif block.kind == "list":
            items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{escape(block.text)}</p>")
    return "\n".join(parts)


def to_docx(document: ClauseDocument) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = document.title
    doc.core_properties.language = "fr-FR"
    doc.add_heading(document.title, level=1)
    for block in document.blocks:
        if block.kind == "heading":
            doc.add_heading(block.text, level=2)
        elif block.kind == "list":
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        else:
            doc.add_paragraph(block.text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'office:version="1.3"'
)

_ODT_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)

_ODT_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f"<office:document-styles {_ODT_NS}><office:styles>"
    '<style:style style:name="Standard" style:family="paragraph">'
    '<style:text-properties fo:language="fr" fo:country="FR"/></style:style>'
    '<style:style style:name="Heading_20_1" style:display-name="Heading 1" '
    'style:family="paragraph" style:parent-style-name="Standard">'
    '<style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>'
    '<style:style style:name="Heading_20_2" style:display-name="Heading 2" '
    'style:family="paragraph" style:parent-style-name="Standard">'
    '<style:text-properties fo:font-size="13pt" fo:font-weight="bold"/></style:style>'
    "</office:styles></office:document-styles>"
)


def to_odt(document: ClauseDocument) -> bytes:
    """An OpenDocument text written by hand: a zip whose first entry is the uncompressed
    mimetype, then the manifest, styles, metadata and content."""
    body: list[str] = [
        '<text:h text:style-name="Heading_20_1" text:outline-level="1">'
        f"{xml_escape(document.title)}</text:h>"
    ]
    for block in document.blocks:
        if block.kind == "heading":
            body.append(
                '<text:h text:style-name="Heading_20_2" text:outline-level="2">'
                f"{xml_escape(block.text)}</text:h>"
            )
        elif block.kind == "list":
            items = "".join(
                f"<text:list-item><text:p>{xml_escape(item)}</text:p></text:list-item>"
                for item in block.items
            )
            body.append(f"<text:list>{items}</text:list>")
        else:
            body.append(f'<text:p text:style-name="Standard">{xml_escape(block.text)}</text:p>')
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-content {_ODT_NS}><office:body><office:text>"
        + "".join(body)
        + "</office:text></office:body></office:document-content>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-meta {_ODT_NS}><office:meta>"
        f"<dc:title>{xml_escape(document.title)}</dc:title><dc:language>fr-FR</dc:language>"
        "</office:meta></office:document-meta>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _ODT_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("styles.xml", _ODT_STYLES, zipfile.ZIP_DEFLATED)
        archive.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def clause_html(consideration: SocialConsideration) -> str:
    return to_html(clause_document(consideration))


def clause_docx(consideration: SocialConsideration) -> bytes:
    return to_docx(clause_document(consideration))


def clause_odt(consideration: SocialConsideration) -> bytes:
    return to_odt(clause_document(consideration))


def download_name(consideration: SocialConsideration, extension: str) -> str:
    """A safe file name: `clause-<reference>-lot-<n>.<ext>` (ASCII letters and digits)."""
    reference = re.sub(r"[^A-Za-z0-9]+", "-", consideration.lot.market.reference).strip("-")
    return f"clause-{reference or 'marche'}-lot-{consideration.lot.number}.{extension}"
