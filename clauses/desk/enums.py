from django.db import models


class RequestKind(models.TextChoices):
    SOCIAL_ADVICE = "social_advice", "Conseil sur les considérations sociales"
    FACILITATOR_CONTACT = (
        "facilitator_contact",
        "Mise en relation avec le facilitateur de mon territoire",
    )
    PROGRAMME_REVIEW = "programme_review", "Revue de ma programmation achat"
    CLAUSE_FOLLOW_UP = "clause_follow_up", "Suivi d'une clause en cours d'exécution"
    ENVIRONMENTAL = "environmental", "Question environnementale (guichet vert)"
    OTHER = "other", "Autre demande"


class TargetLevel(models.TextChoices):
    """Where the desk sends a request (the API's `target.level`)."""

    GREEN_DESK = "green_desk", "Guichet vert"
    NATIONAL = "national", "Coordination nationale"
    REGIONAL = "regional", "Coordination régionale"
    DEPARTMENTAL = "departmental", "Coordination départementale"
    LOCAL = "local", "Coordination locale"
    STRUCTURE = "structure", "Structure facilitatrice"


class RoutingRule(models.TextChoices):
    """Which branch of the routing rule decided (DESIGN.md, "Routing of a desk request")."""

    ENVIRONMENTAL = "environmental", "1. Question environnementale"
    OUTSIDE_REGION = "outside_region", "2. Aucun lieu d'exécution dans la région"
    AGREEMENT = "agreement", "3. Acheteur conventionné avec une structure"
    SINGLE_STRUCTURE = "single_structure", "4. Communes couvertes par une seule structure"
    SINGLE_DEPARTMENT = "single_department", "5. Un seul département"
    SEVERAL_DEPARTMENTS = "several_departments", "6. Plusieurs départements ou toute la région"
    NO_PLACE = "no_place", "Aucun lieu d'exécution indiqué"
