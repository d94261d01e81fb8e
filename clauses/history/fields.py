"""The field catalogue of a history import: what a column may feed, in which entity, of
which kind, and the words tools use for it; the choice fields with their target codes and
the labels tools write for them.

One flat row may carry a person (+ eligibility), a market with its lot and clause, an
assignment (mission) and a month of hours; a file may carry only some of them. An entity is
present in a file when at least one of its fields is mapped; its `required` fields must then
be mapped and filled.

Suggestions fold headers and labels with `clauses.core.text.compact` (accents, case, spaces
and punctuation ignored): "Date de début du contrat", "DATE DEBUT CONTRAT" and
"date_debut_contrat" are the same words.
"""

from dataclasses import dataclass

from clauses.core.text import compact
from clauses.followup.enums import ContractType, FulfilmentModality, Gender, ProofKind
from clauses.followup.rules import ALL_CRITERIA
from clauses.markets.enums import ConsiderationKind, MarketKind

PERSON = "person"
ELIGIBILITY = "eligibility"
MARKET = "market"
LOT = "lot"
CLAUSE = "clause"
ASSIGNMENT = "assignment"
HOURS = "hours"
ORGANISATION = "organisation"

ENTITIES: dict[str, str] = {
    PERSON: "Personnes",
    ELIGIBILITY: "Validations d'éligibilité",
    MARKET: "Marchés",
    LOT: "Lots",
    CLAUSE: "Clauses",
    ASSIGNMENT: "Missions",
    HOURS: "Heures mensuelles",
    ORGANISATION: "Acheteurs et entreprises",  # never a column: found or added for markets
}

TEXT, DATE, MONTH, INTEGER, DECIMAL, CHOICE = (
    "text",
    "date",
    "month",
    "integer",
    "decimal",
    "choice",
)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    entity: str
    kind: str
    required: bool = False  # when its entity is present in the file
    synonyms: tuple[str, ...] = ()
    multiple: bool = False  # a choice cell may list several labels ("RSA, QPV")
    max_length: int = 0
    help: str = ""


FIELDS: tuple[Field, ...] = (
    # -- person -------------------------------------------------------------------------
    Field(
        "person.last_name",
        "Nom",
        PERSON,
        TEXT,
        True,
        ("nom", "nom de famille", "nom de naissance", "nom usage", "nom du salarie", "last name"),
        max_length=100,
    ),
    Field(
        "person.first_name",
        "Prénom",
        PERSON,
        TEXT,
        True,
        ("prenom", "prenoms", "first name", "prenom du salarie"),
        max_length=100,
    ),
    Field(
        "person.birth_date",
        "Date de naissance",
        PERSON,
        DATE,
        synonyms=("date de naissance", "ne le", "nee le", "naissance", "ddn", "birth date"),
        help="La date ou, à défaut, l'année de naissance est nécessaire.",
    ),
    Field(
        "person.birth_year",
        "Année de naissance",
        PERSON,
        INTEGER,
        synonyms=("annee de naissance", "annee naissance", "ne en"),
    ),
    Field(
        "person.gender",
        "Genre",
        PERSON,
        CHOICE,
        synonyms=("genre", "sexe", "civilite", "h f"),
    ),
    # -- eligibility --------------------------------------------------------------------
    Field(
        "eligibility.criteria",
        "Critères d'éligibilité",
        ELIGIBILITY,
        CHOICE,
        True,
        (
            "criteres",
            "critere",
            "critere d eligibilite",
            "criteres d eligibilite",
            "public",
            "public eligible",
            "statut",
            "statut a l entree",
            "eligibilite",
        ),
        multiple=True,
    ),
    Field(
        "eligibility.validated_on",
        "Date de validation",
        ELIGIBILITY,
        DATE,
        True,
        (
            "date de validation",
            "validation",
            "valide le",
            "date validation eligibilite",
            "date d eligibilite",
            "date agrement",
        ),
    ),
    Field(
        "eligibility.proof_kind",
        "Type de justificatif",
        ELIGIBILITY,
        CHOICE,
        synonyms=("justificatif", "type de justificatif", "piece justificative"),
    ),
    Field(
        "eligibility.proof_date",
        "Date du justificatif",
        ELIGIBILITY,
        DATE,
        synonyms=("date du justificatif", "date justificatif", "date de la piece"),
    ),
    # -- market -------------------------------------------------------------------------
    Field(
        "market.buyer_siret",
        "SIRET de l'acheteur",
        MARKET,
        TEXT,
        synonyms=("siret acheteur", "siret du maitre d ouvrage", "siret donneur d ordre"),
        max_length=20,
        help="Le SIRET ou le nom de l'acheteur est nécessaire.",
    ),
    Field(
        "market.buyer_name",
        "Acheteur",
        MARKET,
        TEXT,
        synonyms=(
            "acheteur",
            "nom de l acheteur",
            "maitre d ouvrage",
            "donneur d ordre",
            "pouvoir adjudicateur",
        ),
        max_length=250,
    ),
    Field(
        "market.reference",
        "Référence du marché",
        MARKET,
        TEXT,
        True,
        (
            "reference du marche",
            "reference marche",
            "ref marche",
            "numero du marche",
            "n marche",
            "no marche",
            "marche",
            "code marche",
        ),
        max_length=60,
    ),
    Field(
        "market.subject",
        "Objet du marché",
        MARKET,
        TEXT,
        synonyms=("objet", "objet du marche", "intitule du marche", "libelle marche", "operation"),
        max_length=300,
    ),
    Field(
        "market.kind",
        "Type de marché",
        MARKET,
        CHOICE,
        synonyms=("type de marche", "nature du marche", "type marche", "nature"),
    ),
    Field(
        "market.notification_date",
        "Date de notification",
        MARKET,
        DATE,
        synonyms=("date de notification", "notification", "notifie le"),
    ),
    # -- lot ----------------------------------------------------------------------------
    Field(
        "lot.number",
        "Numéro du lot",
        LOT,
        INTEGER,
        synonyms=("lot", "numero de lot", "n lot", "no lot", "num lot"),
        help="Sans lot : lot unique (n° 1).",
    ),
    Field(
        "lot.title",
        "Intitulé du lot",
        LOT,
        TEXT,
        synonyms=("intitule du lot", "libelle lot", "intitule lot", "objet du lot"),
        max_length=300,
    ),
    # -- clause -------------------------------------------------------------------------
    Field(
        "clause.kind",
        "Type de clause",
        CLAUSE,
        CHOICE,
        synonyms=("type de clause", "clause", "dispositif", "article", "type de clause sociale"),
        help="Sans colonne : clause d'insertion (condition d'exécution).",
    ),
    Field(
        "clause.hours_target",
        "Heures d'insertion prévues",
        CLAUSE,
        INTEGER,
        synonyms=(
            "heures prevues",
            "objectif d heures",
            "objectif heures",
            "nombre d heures d insertion",
            "volume d heures",
            "heures a realiser",
        ),
    ),
    # -- assignment ---------------------------------------------------------------------
    Field(
        "assignment.company_siret",
        "SIRET de l'entreprise",
        ASSIGNMENT,
        TEXT,
        synonyms=("siret entreprise", "siret employeur", "siret de l entreprise", "siret"),
        max_length=20,
        help="Le SIRET ou le nom de l'entreprise est nécessaire.",
    ),
    Field(
        "assignment.company_name",
        "Entreprise",
        ASSIGNMENT,
        TEXT,
        synonyms=(
            "entreprise",
            "employeur",
            "raison sociale",
            "entreprise attributaire",
            "titulaire",
            "nom de l entreprise",
        ),
        max_length=250,
    ),
    Field(
        "assignment.modality",
        "Modalité de mise en œuvre",
        ASSIGNMENT,
        CHOICE,
        True,
        (
            "modalite",
            "modalite de mise en oeuvre",
            "type de contrat",
            "contrat",
            "nature du contrat",
            "modalite d embauche",
        ),
    ),
    Field(
        "assignment.contract_type",
        "Type de contrat de travail",
        ASSIGNMENT,
        CHOICE,
        synonyms=(
            "type de contrat de travail",
            "contrat de travail",
            "nature du contrat de travail",
        ),
    ),
    Field(
        "assignment.start_date",
        "Début de la mission",
        ASSIGNMENT,
        DATE,
        True,
        (
            "date de debut",
            "date debut",
            "debut",
            "date debut contrat",
            "date de debut du contrat",
            "debut de mission",
            "date d entree",
            "entree",
        ),
    ),
    Field(
        "assignment.end_date",
        "Fin de la mission",
        ASSIGNMENT,
        DATE,
        synonyms=(
            "date de fin",
            "date fin",
            "fin",
            "date fin contrat",
            "date de fin du contrat",
            "fin de mission",
            "date de sortie",
            "sortie",
        ),
    ),
    Field(
        "assignment.trade",
        "Métier",
        ASSIGNMENT,
        TEXT,
        synonyms=("metier", "poste", "emploi", "qualification", "fonction", "rome"),
        max_length=200,
    ),
    # -- hours --------------------------------------------------------------------------
    Field(
        "hours.month",
        "Mois",
        HOURS,
        MONTH,
        True,
        ("mois", "periode", "mois travaille", "mois de realisation", "annee mois", "date"),
        help="« 03/2024 », « 2024-03 », « mars 2024 » ou une date du mois.",
    ),
    Field(
        "hours.hours",
        "Heures réalisées",
        HOURS,
        DECIMAL,
        True,
        (
            "heures",
            "nombre d heures",
            "heures realisees",
            "heures effectuees",
            "heures travaillees",
            "nb heures",
            "volume horaire",
        ),
    ),
)

FIELDS_BY_KEY: dict[str, Field] = {field.key: field for field in FIELDS}


def fields_of(entity: str) -> list[Field]:
    return [field for field in FIELDS if field.entity == entity]


# -- choice fields: target codes, French labels, the labels tools write ----------------


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    synonyms: tuple[str, ...] = ()


IGNORE = "__ignore__"  # a value mapped to nothing: the cell is treated as empty

_CRITERION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "long_term_jobseeker": (
        "deld",
        "dld",
        "demandeur d emploi de longue duree",
        "chomeur de longue duree",
        "de longue duree",
        "de ld",
    ),
    "minimum_benefits": (
        "rsa",
        "brsa",
        "rsa socle",
        "beneficiaire du rsa",
        "allocataire rsa",
        "minima sociaux",
        "minimum social",
        "ass",
        "aah",
        "beneficiaire de l ass",
        "beneficiaire de l aah",
    ),
    "disabled_worker": ("rqth", "th", "travailleur handicape", "boeth", "handicap"),
    "young_low_qualification": (
        "jeune",
        "jeune de moins de 26 ans",
        "moins de 26 ans",
        "jeune peu qualifie",
        "jeune sans qualification",
        "jeune niveau infra cap",
        "jeune niveau v",
    ),
    "senior_jobseeker": ("senior", "plus de 50 ans", "50 ans et plus", "de senior", "de 50 ans"),
    "qpv_resident": ("qpv", "habitant qpv", "resident qpv", "quartier prioritaire"),
    "siae_employee": ("siae", "salarie siae", "iae", "salarie en insertion"),
    "geiq_employee": ("geiq", "salarie geiq"),
    "sheltered_worker": ("ea", "esat", "ea esat", "entreprise adaptee"),
    "epide_e2c": ("epide", "e2c", "ecole de la deuxieme chance"),
    "iae_pathway": ("pass iae", "parcours iae", "agrement iae", "agrement pole emploi"),
}


def _criteria() -> tuple[Choice, ...]:
    return tuple(
        Choice(spec.code, spec.label, _CRITERION_SYNONYMS.get(spec.code, ()))
        for spec in ALL_CRITERIA
    )


_MODALITY_SYNONYMS: dict[str, tuple[str, ...]] = {
    FulfilmentModality.DIRECT_CDD: (
        "cdd",
        "embauche directe",
        "embauche directe cdd",
        "contrat de chantier",
        "cdd de chantier",
    ),
    FulfilmentModality.DIRECT_CDI: ("cdi", "embauche directe cdi", "cdi de chantier"),
    FulfilmentModality.APPRENTICESHIP: ("apprentissage", "contrat d apprentissage", "apprenti"),
    FulfilmentModality.PROFESSIONALISATION: (
        "professionnalisation",
        "contrat de professionnalisation",
        "contrat pro",
    ),
    FulfilmentModality.ETTI: (
        "etti",
        "interim d insertion",
        "mise a disposition etti",
        "travail temporaire d insertion",
    ),
    FulfilmentModality.ETT: ("ett", "interim", "interim classique", "mise a disposition ett"),
    FulfilmentModality.AI: ("ai", "association intermediaire", "mise a disposition ai"),
    FulfilmentModality.GEIQ: ("geiq", "mise a disposition geiq"),
    FulfilmentModality.SUBCONTRACT_SIAE: (
        "cddi",
        "sous traitance siae",
        "sous traitance iae",
        "ei",
        "aci",
        "chantier d insertion",
        "entreprise d insertion",
    ),
    FulfilmentModality.COCONTRACT_SIAE: ("cotraitance siae", "co traitance siae"),
    FulfilmentModality.SUBCONTRACT_EA_ESAT: (
        "sous traitance ea",
        "sous traitance esat",
        "ea",
        "esat",
    ),
    FulfilmentModality.TRAINING: ("formation", "action de formation", "poei", "afpr"),
}

_CONTRACT_SYNONYMS: dict[str, tuple[str, ...]] = {
    ContractType.CDD: ("cdd", "contrat a duree determinee"),
    ContractType.CDI: ("cdi", "contrat a duree indeterminee"),
    ContractType.SITE_CONTRACT: ("contrat de chantier", "cdi de chantier"),
    ContractType.CDDI: ("cddi", "cdd d insertion", "cdd insertion"),
    ContractType.TEMPORARY: ("interim", "mission d interim", "interim d insertion", "ctt"),
    ContractType.SECONDMENT: ("mise a disposition", "mad"),
    ContractType.APPRENTICESHIP: ("apprentissage", "contrat d apprentissage"),
    ContractType.PROFESSIONALISATION: ("professionnalisation", "contrat pro"),
    ContractType.TRAINING: ("formation",),
    ContractType.OTHER: ("autre",),
}

_GENDER_SYNONYMS: dict[str, tuple[str, ...]] = {
    Gender.FEMALE: ("f", "femme", "feminin", "mme", "madame", "mlle"),
    Gender.MALE: ("h", "m", "homme", "masculin", "monsieur", "mr"),
    Gender.UNSPECIFIED: ("nr", "non renseigne", "inconnu", "autre"),
}

_PROOF_SYNONYMS: dict[str, tuple[str, ...]] = {
    ProofKind.FRANCE_TRAVAIL_STATUS: (
        "avis de situation",
        "attestation france travail",
        "attestation pole emploi",
        "avis de situation pole emploi",
    ),
    ProofKind.BENEFITS_CERTIFICATE: ("attestation caf", "attestation de droits", "attestation msa"),
    ProofKind.DISABILITY_DECISION: ("notification mdph", "decision mdph", "rqth"),
    ProofKind.IDENTITY_DOCUMENT: ("piece d identite", "carte d identite", "cni", "passeport"),
    ProofKind.RESIDENCE_PROOF: ("justificatif de domicile",),
    ProofKind.PASS_IAE: ("pass iae", "agrement"),
    ProofKind.PRESCRIBER_OPINION: ("avis motive", "avis du prescripteur"),
    ProofKind.OTHER: ("autre",),
}

_MARKET_KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    MarketKind.WORKS: ("travaux", "btp", "t"),
    MarketKind.SUPPLIES: ("fournitures", "fourniture", "f"),
    MarketKind.SERVICES: ("services", "service", "prestations", "prestation de services", "s"),
}

_CLAUSE_SYNONYMS: dict[str, tuple[str, ...]] = {
    ConsiderationKind.EXECUTION_CONDITION: (
        "clause d insertion",
        "insertion",
        "condition d execution",
        "l2112 2",
        "article 38",
        "clause sociale d insertion",
        "execution",
    ),
    ConsiderationKind.AWARD_CRITERION: ("critere d attribution", "critere social", "l2152 7"),
    ConsiderationKind.RESERVED_SIAE: ("marche reserve siae", "reserve siae", "l2113 13"),
    ConsiderationKind.RESERVED_EA_ESAT: ("marche reserve ea esat", "reserve ea", "l2113 12"),
    ConsiderationKind.RESERVED_BOTH: ("reserve siae ea esat", "l2113 14"),
    ConsiderationKind.INSERTION_MARKET: (
        "marche d insertion",
        "marche de qualification",
        "r2123 1",
        "article 30",
    ),
    ConsiderationKind.OTHER: ("autre",),
}


def _from_enum(enum: type, synonyms: dict[str, tuple[str, ...]]) -> tuple[Choice, ...]:
    return tuple(
        Choice(str(value), str(label), synonyms.get(value, ())) for value, label in enum.choices
    )


CHOICE_FIELDS: dict[str, tuple[Choice, ...]] = {
    "person.gender": _from_enum(Gender, _GENDER_SYNONYMS),
    "eligibility.criteria": _criteria(),
    "eligibility.proof_kind": _from_enum(ProofKind, _PROOF_SYNONYMS),
    "market.kind": _from_enum(MarketKind, _MARKET_KIND_SYNONYMS),
    "clause.kind": _from_enum(ConsiderationKind, _CLAUSE_SYNONYMS),
    "assignment.modality": _from_enum(FulfilmentModality, _MODALITY_SYNONYMS),
    "assignment.contract_type": _from_enum(ContractType, _CONTRACT_SYNONYMS),
}


def choice_codes(field_key: str) -> dict[str, str]:
    """{code: French label} of a choice field."""
    return {choice.code: choice.label for choice in CHOICE_FIELDS.get(field_key, ())}


# -- suggestions ----------------------------------------------------------------------


def _index(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """{compact(text): target}, the first target of a text winning."""
    index: dict[str, str] = {}
    for text, target in pairs:
        index.setdefault(compact(text), target)
    return index


_HEADER_INDEX = _index(
    [(field.label, field.key) for field in FIELDS]
    + [(field.key, field.key) for field in FIELDS]
    + [(synonym, field.key) for field in FIELDS for synonym in field.synonyms]
)

_VALUE_INDEX: dict[str, dict[str, str]] = {
    key: _index(
        [(choice.code, choice.code) for choice in choices]
        + [(choice.label, choice.code) for choice in choices]
        + [(synonym, choice.code) for choice in choices for synonym in choice.synonyms]
    )
    for key, choices in CHOICE_FIELDS.items()
}


_CONTAINED = sorted(
    ((text, key) for text, key in _HEADER_INDEX.items() if len(text) >= 8),
    key=lambda item: -len(item[0]),
)


def suggest_field(header: str) -> str | None:
    """The field a header most likely feeds, or None: the header's words folded, then the
    longest known words it contains ("Date de début du contrat CDDI" → start date)."""
    if not isinstance(header, str):
        return None
    folded = compact(header)
    if not folded:
        return None
    exact = _HEADER_INDEX.get(folded)
    if exact:
        return exact
    for text, key in _CONTAINED:
        if text in folded:
            return key
    return None


def suggest_columns(headers: list[str]) -> dict[str, str | None]:
    """{field_key: header or None} for every field of the catalogue: each header feeds at
    most one field and each field takes the first header that names it."""
    suggestion: dict[str, str | None] = {field.key: None for field in FIELDS}
    for header in headers:
        key = suggest_field(header)
        if key is not None and suggestion[key] is None:
            suggestion[key] = header
    return suggestion


def suggest_value(field_key: str, label: object) -> str | None:
    """The code a label of a choice field most likely means ("BRSA" → minimum_benefits),
    or None when nothing is recognised."""
    index = _VALUE_INDEX.get(field_key)
    if index is None or label is None:
        return None
    return index.get(compact(str(label))) or None
