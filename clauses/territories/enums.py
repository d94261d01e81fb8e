from django.db import models


class CommuneKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    MUNICIPAL_ARRONDISSEMENT = "arrondissement", "Arrondissement municipal"


class EpciKind(models.TextChoices):
    METRO = "METRO", "Métropole"
    CU = "CU", "Communauté urbaine"
    CA = "CA", "Communauté d'agglomération"
    CC = "CC", "Communauté de communes"


class MarketKind(models.TextChoices):
    WORKS = "works", "Travaux"
    SUPPLIES = "supplies", "Fournitures"
    SERVICES = "services", "Services"


class NafLevel(models.TextChoices):
    SECTION = "section", "Section"
    DIVISION = "division", "Division"
    GROUP = "groupe", "Groupe"
    CLASS = "classe", "Classe"
    SUBCLASS = "sous-classe", "Sous-classe"
