from django.db import models


class NotificationKind(models.TextChoices):
    REQUEST_ROUTED = "request_routed", "Demande du guichet à traiter"
    BUYER_REPLIED = "buyer_replied", "Réponse d'un acheteur"
    REQUEST_ANSWERED = "request_answered", "Réponse du guichet"
    DECLARATIONS_ARRIVED = "declarations_arrived", "Heures à contrôler"
    CORRECTION_SUBMITTED = "correction_submitted", "Correction d'heures à contrôler"
    DECLARATION_REFUSED = "declaration_refused", "Déclaration refusée ou à corriger"
    ELIGIBILITY_TO_DECIDE = "eligibility_to_decide", "Éligibilité à décider"
    ELIGIBILITY_EXPIRING = "eligibility_expiring", "Éligibilité qui expire bientôt"
    MESSAGE = "message", "Information"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Un courriel à chaque notification"
    DAILY = "daily", "Un récapitulatif par jour"
    NONE = "none", "Aucun courriel (dans l'application seulement)"
