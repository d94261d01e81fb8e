from django.db import models


class NotificationKind(models.TextChoices):
    REQUEST_ROUTED = "request_routed", "Demande du guichet à traiter"
    BUYER_REPLIED = "buyer_replied", "Réponse d'un acheteur"
    DECLARATIONS_ARRIVED = "declarations_arrived", "Heures à contrôler"
    CORRECTION_SUBMITTED = "correction_submitted", "Correction d'heures à contrôler"
    DECLARATION_REFUSED = "declaration_refused", "Déclaration refusée ou à corriger"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Un courriel à chaque notification"
    DAILY = "daily", "Un récapitulatif par jour"
    NONE = "none", "Aucun courriel (dans l'application seulement)"
