"""Choices of the markets app: English values, French labels (docs/domain-rules.md)."""

from django.db import models


class MarketKind(models.TextChoices):
    """Kind of a public contract (the EU threshold and L2112-2-1 check depend on it)."""

    WORKS = "works", "Travaux"
    SUPPLIES = "supplies", "Fournitures"
    SERVICES = "services", "Services"


class Sector(models.TextChoices):
    """Method of an hour preset (rules.HourPreset)."""

    STANDARD = "standard", "Méthode des facilitateurs"
    CLEANING = "cleaning", "Propreté (méthode PACT Propreté)"


class MarketStatus(models.TextChoices):
    PLANNED = "planned", "En préparation"
    IN_CONSULTATION = "in_consultation", "En consultation"
    AWARDED = "awarded", "Attribué"
    IN_EXECUTION = "in_execution", "En exécution"
    CLOSED = "closed", "Clôturé"


# The only moves a market may make (services.change_status): forward one step, and a
# planned market may be closed (abandoned consultation) like any other.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    MarketStatus.PLANNED: frozenset({MarketStatus.IN_CONSULTATION, MarketStatus.CLOSED}),
    MarketStatus.IN_CONSULTATION: frozenset({MarketStatus.AWARDED, MarketStatus.CLOSED}),
    MarketStatus.AWARDED: frozenset({MarketStatus.IN_EXECUTION, MarketStatus.CLOSED}),
    MarketStatus.IN_EXECUTION: frozenset({MarketStatus.CLOSED}),
    MarketStatus.CLOSED: frozenset(),
}


class Procedure(models.TextChoices):
    """Procedures of the Code de la commande publique (DECP `procedure` wording)."""

    ADAPTED = "adapted", "Procédure adaptée"
    OPEN = "open", "Appel d'offres ouvert"
    RESTRICTED = "restricted", "Appel d'offres restreint"
    NEGOTIATED = "negotiated", "Procédure avec négociation"
    COMPETITIVE_DIALOGUE = "competitive_dialogue", "Dialogue compétitif"
    WITHOUT_NOTICE = "without_notice", "Marché passé sans publicité ni mise en concurrence"
    OTHER = "other", "Autre procédure"


class OperationKind(models.TextChoices):
    URBAN_RENEWAL = "urban_renewal", "Renouvellement urbain (ANRU)"
    LARGE_PROJECT = "large_project", "Grand projet d'aménagement"
    OTHER = "other", "Autre opération"


class MarketEventKind(models.TextChoices):
    CREATED = "created", "Marché créé"
    UPDATED = "updated", "Marché modifié"
    STATUS_CHANGED = "status_changed", "Changement de statut"
    CONVERTED = "converted", "Créé à partir d'une demande au guichet"
    IMPORTED = "imported", "Importé depuis un tableur"
    LOT_SAVED = "lot_saved", "Lot enregistré"
    CONTRACTOR_ADDED = "contractor_added", "Entreprise ajoutée"
    CONTRACTOR_REMOVED = "contractor_removed", "Entreprise retirée"
    CLAUSE_SAVED = "clause_saved", "Considération sociale enregistrée"
    HOURS_OVERRIDDEN = "hours_overridden", "Objectif d'heures ajusté"
    DEROGATION_SAVED = "derogation_saved", "Dérogation à la condition sociale obligatoire"
    MEETING_SCHEDULED = "meeting_scheduled", "Réunion programmée"
    FACILITATOR_INVITED = "facilitator_invited", "Facilitateur·rice invité·e"


class ContractorRole(models.TextChoices):
    HOLDER = "holder", "Titulaire"
    CO_CONTRACTOR = "co_contractor", "Cotraitant"
    SUBCONTRACTOR = "subcontractor", "Sous-traitant"


class MeetingKind(models.TextChoices):
    LAUNCH = "launch", "Réunion de lancement"
    SITE = "site", "Réunion de chantier"
    FOLLOW_UP = "follow_up", "Réunion de suivi"


class DecpConsideration(models.TextChoices):
    """The values of `considerationsSociales` in the DECP 2024 format (§6)."""

    SOCIAL_CLAUSE = "Clause sociale", "Clause sociale"
    SOCIAL_CRITERION = "Critère social", "Critère social"
    RESERVED = "Marché réservé", "Marché réservé"
    NONE = "Pas de considération sociale", "Pas de considération sociale"


class ConsiderationKind(models.TextChoices):
    """Kinds of social consideration with their legal basis (docs/domain-rules.md §1)."""

    EXECUTION_CONDITION = (
        "execution_condition",
        "Condition d'exécution : clause d'insertion (L2112-2, L2112-2-1)",
    )
    AWARD_CRITERION = "award_criterion", "Critère d'attribution social (L2152-7, R2152-7)"
    RESERVED_SIAE = "reserved_siae", "Marché réservé aux SIAE (L2113-13)"
    RESERVED_EA_ESAT = "reserved_ea_esat", "Marché réservé aux EA et ESAT (L2113-12)"
    RESERVED_BOTH = "reserved_both", "Marché réservé aux SIAE, EA et ESAT (L2113-14)"
    INSERTION_MARKET = "insertion_market", "Marché d'insertion (R2123-1 3°)"
    OTHER = "other", "Autre considération sociale"


# Source: docs/domain-rules.md §1 ("Rules for the software") and §6 (DECP values).
_CCP = "du Code de la commande publique"
LEGAL_BASIS: dict[str, str] = {
    ConsiderationKind.EXECUTION_CONDITION: f"Articles L2112-2 et L2112-2-1 {_CCP}",
    ConsiderationKind.AWARD_CRITERION: f"Articles L2152-7 et R2152-7 {_CCP}",
    ConsiderationKind.RESERVED_SIAE: "Article L2113-13 du Code de la commande publique",
    ConsiderationKind.RESERVED_EA_ESAT: "Article L2113-12 du Code de la commande publique",
    ConsiderationKind.RESERVED_BOTH: "Article L2113-14 du Code de la commande publique",
    ConsiderationKind.INSERTION_MARKET: "Article R2123-1 3° du Code de la commande publique",
    ConsiderationKind.OTHER: "",
}

DECP_VALUE: dict[str, str] = {
    ConsiderationKind.EXECUTION_CONDITION: DecpConsideration.SOCIAL_CLAUSE,
    ConsiderationKind.AWARD_CRITERION: DecpConsideration.SOCIAL_CRITERION,
    ConsiderationKind.RESERVED_SIAE: DecpConsideration.RESERVED,
    ConsiderationKind.RESERVED_EA_ESAT: DecpConsideration.RESERVED,
    ConsiderationKind.RESERVED_BOTH: DecpConsideration.RESERVED,
    # The insertion itself is the object of the market: declared as a social clause [I].
    ConsiderationKind.INSERTION_MARKET: DecpConsideration.SOCIAL_CLAUSE,
    ConsiderationKind.OTHER: DecpConsideration.SOCIAL_CLAUSE,
}

# Kinds carrying an hour target.
KINDS_WITH_HOURS = frozenset(
    {ConsiderationKind.EXECUTION_CONDITION, ConsiderationKind.INSERTION_MARKET}
)


class EligiblePublic(models.TextChoices):
    """A first, simple list of eligible publics (docs/domain-rules.md §3.1 B, CCAG 16.1.1);
    the territory-versioned referential comes with the follow-up issue."""

    LONG_TERM_UNEMPLOYED = (
        "long_term_unemployed",
        "Demandeurs d'emploi de longue durée (12 mois et plus)",
    )
    MINIMUM_INCOME = "minimum_income", "Bénéficiaires de minima sociaux (RSA, ASS, AAH…)"
    DISABLED_WORKERS = "disabled_workers", "Travailleurs handicapés (RQTH)"
    YOUTH = "youth", "Jeunes de moins de 26 ans sans qualification ou sans emploi"
    SENIORS = "seniors", "Demandeurs d'emploi de plus de 50 ans"
    QPV_RESIDENTS = "qpv_residents", "Habitants des quartiers prioritaires (QPV)"
    IAE = "iae", "Personnes prises en charge par une SIAE"
    GEIQ = "geiq", "Personnes en parcours dans un GEIQ"
    EPIDE_E2C = "epide_e2c", "Jeunes de l'EPIDE ou d'une école de la deuxième chance"
    OTHER = "other", "Autres personnes, sur avis motivé d'un prescripteur"


class Modality(models.TextChoices):
    """Fulfilment modalities a clause offers (docs/domain-rules.md §4.1)."""

    DIRECT_HIRE = "direct_hire", "Embauche directe (CDD, CDI, contrat en alternance)"
    ETTI = "etti", "Mise à disposition par une entreprise de travail temporaire d'insertion (ETTI)"
    AI_GEIQ = "ai_geiq", "Mise à disposition par une association intermédiaire (AI) ou un GEIQ"
    SUBCONTRACTING = (
        "subcontracting",
        "Sous-traitance ou cotraitance avec une SIAE, une EA ou un ESAT",
    )
    TRAINING = "training", "Formation qualifiante ou certifiante de personnes éligibles"


class HourMethod(models.TextChoices):
    STANDARD = (
        "standard",
        "Méthode des facilitateurs (montant × main-d'œuvre ÷ coût horaire × taux)",
    )
    CLEANING = "cleaning", "Propreté (méthode PACT Propreté)"
    MANUAL = "manual", "Saisie directe du nombre d'heures"
