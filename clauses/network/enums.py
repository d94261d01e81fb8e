from django.db import models


class CoordinationLevel(models.TextChoices):
    NATIONAL = "national", "Coordination nationale"
    REGIONAL = "regional", "Coordination régionale"
    DEPARTMENTAL = "departmental", "Coordination départementale"
    LOCAL = "local", "Coordination locale"


# Order of the levels from the top of the network down, used to sort a chain.
LEVEL_ORDER = {
    CoordinationLevel.NATIONAL: 0,
    CoordinationLevel.REGIONAL: 1,
    CoordinationLevel.DEPARTMENTAL: 2,
    CoordinationLevel.LOCAL: 3,
}


class CarrierKind(models.TextChoices):
    """What kind of organisation carries a facilitator structure (seed document)."""

    EMPLOYMENT_HOUSE = "maison_emploi", "Maison de l'emploi"
    PLIE = "plie", "PLIE"
    LOCAL_AUTHORITY = "collectivite", "Collectivité territoriale"
    INTERCOMMUNAL = "intercommunalite", "Intercommunalité (EPCI, EPT)"
    ASSOCIATION = "association", "Association"
    GIP = "gip", "GIP"
    SOCIAL_LANDLORD = "bailleur", "Bailleur social"
    OTHER = "autre", "Autre"


class PartnerKind(models.TextChoices):
    """Employment and insertion partners of a territory."""

    FRANCE_TRAVAIL = "france_travail", "Agence France Travail"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    PLIE = "plie", "PLIE"
    EI = "ei", "Entreprise d'insertion (EI)"
    ETTI = "etti", "Entreprise de travail temporaire d'insertion (ETTI)"
    ACI = "aci", "Atelier et chantier d'insertion (ACI)"
    AI = "ai", "Association intermédiaire (AI)"
    GEIQ = "geiq", "GEIQ"
    EA = "ea", "Entreprise adaptée (EA)"
    ESAT = "esat", "ESAT"
    OTHER = "autre", "Autre partenaire"


SIAE_KINDS = frozenset({PartnerKind.EI, PartnerKind.ETTI, PartnerKind.ACI, PartnerKind.AI})
