from django.db import models


class SocialStatus(models.TextChoices):
    """Does a published contract carry a social consideration? (`rules.classify`)"""

    YES = "yes", "Avec considération sociale"
    NO = "no", "Sans considération sociale"
    UNKNOWN = "unknown", "Non renseigné"


class ContractCategory(models.TextChoices):
    MARKET = "market", "Marché"
    CONCESSION = "concession", "Contrat de concession"


class ContractKind(models.TextChoices):
    WORKS = "works", "Travaux"
    SUPPLIES = "supplies", "Fournitures"
    SERVICES = "services", "Services"


class SourceFormat(models.TextChoices):
    JSON_2024 = "json_2024", "JSON, format 2024"
    JSON_2019 = "json_2019", "JSON, format 2019"
    TABULAR = "tabular", "Tabulaire (CSV)"
