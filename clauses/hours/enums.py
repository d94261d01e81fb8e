"""Choices of the hours app: English values, French labels."""

from django.db import models


class DeclarationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Déclarée, à contrôler"
    VALIDATED = "validated", "Validée"
    REJECTED = "rejected", "Refusée"
    FIX_REQUESTED = "fix_requested", "Correction demandée"


class DeclarationSource(models.TextChoices):
    FORM = "form", "Formulaire"
    SPREADSHEET = "spreadsheet", "Tableur"
    API = "api", "API"


class ControlDecision(models.TextChoices):
    VALIDATE = "validate", "Valider"
    REJECT = "reject", "Refuser"
    REQUEST_FIX = "request_fix", "Demander une correction"


class AlertKind(models.TextChoices):
    BEHIND_SCHEDULE = "behind_schedule", "En retard sur le calendrier"
    ENDED_SHORT = "ended_short", "Marché terminé sans atteindre l'objectif"


# Statuses whose hours still stand (a refused declaration no longer counts anywhere, not
# even against the monthly ceiling of the person).
LIVE_STATUSES = (
    DeclarationStatus.SUBMITTED,
    DeclarationStatus.VALIDATED,
    DeclarationStatus.FIX_REQUESTED,
)
