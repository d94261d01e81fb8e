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


class RequestStatus(models.TextChoices):
    """Life of a request: new (routed, nobody has taken it) → assigned (a person took charge)
    → in_progress / waiting_buyer (exchanges) → closed (with an outcome)."""

    NEW = "new", "Nouvelle"
    ASSIGNED = "assigned", "Prise en charge"
    IN_PROGRESS = "in_progress", "En cours"
    WAITING_BUYER = "waiting_buyer", "En attente de l'acheteur"
    CLOSED = "closed", "Clôturée"


# Statuses in which a request is still open (everything but closed).
OPEN_STATUSES = (
    RequestStatus.NEW,
    RequestStatus.ASSIGNED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.WAITING_BUYER,
)


class RequestOutcome(models.TextChoices):
    CLAUSE_INSERTED = "clause_inserted", "Clause insérée dans le marché"
    ADVICE_GIVEN = "advice_given", "Conseil apporté"
    REDIRECTED = "redirected", "Réorientée vers un autre interlocuteur"
    NO_FOLLOW_UP = "no_follow_up", "Sans suite"
    DUPLICATE = "duplicate", "Doublon"


class PublicationTiming(models.TextChoices):
    """When the buyer contacted the desk, compared with the planned publication of the
    consultation (good practice of the seed document: BEFORE publication)."""

    BEFORE = "before_publication", "Avant la publication"
    AFTER = "after_publication", "Après la publication"
    UNKNOWN = "unknown", "Date de publication inconnue"


class MessageKind(models.TextChoices):
    REPLY_TO_BUYER = "reply_to_buyer", "Réponse à l'acheteur"
    FROM_BUYER = "from_buyer", "Message de l'acheteur"
    INTERNAL_NOTE = "internal_note", "Note interne"


class EventKind(models.TextChoices):
    FILED = "filed", "Demande déposée"
    TAKEN_CHARGE = "taken_charge", "Prise en charge"
    REPLIED = "replied", "Réponse envoyée à l'acheteur"
    BUYER_REPLIED = "buyer_replied", "Réponse de l'acheteur"
    NOTE_ADDED = "note_added", "Note interne ajoutée"
    REASSIGNED = "reassigned", "Réaffectée"
    ESCALATED = "escalated", "Remontée à l'échelon supérieur"
    CLOSED = "closed", "Clôturée"
    CONVERTED = "converted", "Transformée en marché"
    FOLLOW_LINK_RENEWED = "follow_link_renewed", "Nouveau lien de suivi envoyé"


class AttachmentType(models.TextChoices):
    """File types accepted as attachments, detected from the content (never the name)."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "Document Word (DOCX)"
    XLSX = "xlsx", "Classeur Excel (XLSX)"
    ODT = "odt", "Document texte OpenDocument (ODT)"
    ODS = "ods", "Classeur OpenDocument (ODS)"
    CSV = "csv", "Fichier CSV"
