"""The regional desk (Guichet Régional des Clauses Sociales): what buyers file and what
becomes of it.

No business rule here: filing, routing, taking charge, replying, reassigning, escalating and
closing are services (`services.py`) that write a `RequestEvent` each time; who sees what is
in `policies.py`; shared reads in `selectors.py`. The desk's delays and limits are settings
(`CLAUSES_DESK_*`, read through `clauses.desk.conf.desk_settings()`, see
docs/environment.md).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.accounts.models import Organisation
from clauses.core.models import JournalEntry
from clauses.desk.enums import (
    OPEN_STATUSES,
    AttachmentType,
    EventKind,
    MessageKind,
    PublicationTiming,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    RoutingRule,
    TargetLevel,
)
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.territories.models import Commune, CpvCode, Department


class ReferenceCounter(models.Model):
    """The last number given in a year: `GRCS-<year>-<number:06d>`. The services lock the
    row (`select_for_update`) to allocate the next one, so two buyers filing at the same
    moment never get the same reference."""

    year = models.PositiveSmallIntegerField("année", unique=True)
    last_number = models.PositiveIntegerField("dernier numéro attribué", default=0)

    class Meta:
        verbose_name = "compteur de références"
        verbose_name_plural = "compteurs de références"

    def __str__(self) -> str:
        return f"{self.year} : {self.last_number}"


class BuyerAgreementQuerySet(models.QuerySet["BuyerAgreement"]):
    def valid_on(self, day: object) -> "BuyerAgreementQuerySet":
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_until=None) | models.Q(valid_until__gte=day)
        )


class BuyerAgreement(models.Model):
    """A recorded agreement (convention) between a buyer and a facilitator structure that
    follows its markets: routing rule 3 sends the buyer's requests to that structure.

    The buyer is an organisation of the platform or, for a buyer with no account yet, a
    SIRET (the one typed in the request form)."""

    buyer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="desk_agreements",
        verbose_name="acheteur",
        limit_choices_to={"kind": "buyer"},
    )
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14, blank=True, db_index=True)
    structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.CASCADE,
        related_name="buyer_agreements",
        verbose_name="structure facilitatrice",
    )
    valid_from = models.DateField("en vigueur du")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    note = models.CharField("précisions", max_length=300, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)

    objects = BuyerAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "convention acheteur – structure"
        verbose_name_plural = "conventions acheteurs – structures"
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(buyer_organisation__isnull=False) | ~models.Q(buyer_siret=""),
                name="desk_agreement_has_buyer",
            ),
        ]

    def __str__(self) -> str:
        buyer = self.buyer_organisation or self.buyer_siret
        return f"{buyer} → {self.structure}"


class RequestQuerySet(models.QuerySet["Request"]):
    def open(self) -> "RequestQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self) -> "RequestQuerySet":
        return self.filter(status=RequestStatus.CLOSED)

    def overdue(self, today: object) -> "RequestQuerySet":
        """Open requests with no first response whose due date has passed."""
        return self.open().filter(first_response_at=None, first_response_due__lt=today)

    def untaken(self) -> "RequestQuerySet":
        return self.filter(status=RequestStatus.NEW, taken_by=None)


class Request(models.Model):
    """A request (sollicitation) filed at the desk by a buyer."""

    reference = models.CharField("référence", max_length=20, unique=True, editable=False)
    kind = models.CharField("objet de la demande", max_length=30, choices=RequestKind.choices)
    status = models.CharField(
        "statut", max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    outcome = models.CharField("issue", max_length=20, choices=RequestOutcome.choices, blank=True)

    # Who asks.
    buyer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="desk_requests",
        verbose_name="organisation acheteuse",
    )
    buyer_name = models.CharField("acheteur", max_length=250)
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14, db_index=True)
    contact_name = models.CharField("nom du contact", max_length=200)
    contact_email = models.EmailField("adresse électronique du contact")
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="desk_requests_filed",
        verbose_name="déposée par",
    )

    # The planned market.
    market_subject = models.CharField("objet du marché", max_length=300, blank=True)
    market_cpv = models.ForeignKey(
        CpvCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="code CPV principal",
    )
    market_estimated_amount = models.DecimalField(
        "montant estimé (€ HT)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    market_planned_publication_date = models.DateField(
        "date de publication prévue", null=True, blank=True
    )
    market_duration_months = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True)

    # Where the market is executed.
    execution_communes = models.ManyToManyField(
        Commune, blank=True, related_name="desk_requests", verbose_name="communes d'exécution"
    )
    execution_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="desk_requests",
        verbose_name="départements d'exécution",
    )
    region_wide = models.BooleanField("toute la région", default=False)
    outside_places = models.TextField(
        "lieux hors de la région",
        blank=True,
        help_text="Lieux indiqués qui ne sont pas dans la région (codes INSEE ou départements).",
    )
    message = models.TextField("message")
    publication_timing = models.CharField(
        "moment de la demande",
        max_length=20,
        choices=PublicationTiming.choices,
        default=PublicationTiming.UNKNOWN,
    )

    # Current target (the history is in Assignment).
    target_level = models.CharField(
        "échelon destinataire", max_length=15, choices=TargetLevel.choices
    )
    target_coordination = models.ForeignKey(
        Coordination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_requests",
        verbose_name="coordination destinataire",
    )
    target_structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_requests",
        verbose_name="structure destinataire",
    )
    routing_rule = models.CharField(
        "règle d'orientation",
        max_length=25,
        choices=RoutingRule.choices,
        blank=True,
        help_text="Vide quand une coordination a réaffecté la demande à la main.",
    )
    routing_reason = models.TextField("motif de l'orientation")
    routed_automatically = models.BooleanField("orientée automatiquement", default=True)
    routed_at = models.DateTimeField("orientée le", default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="desk_requests_taken",
        verbose_name="prise en charge par",
    )
    taken_at = models.DateTimeField("prise en charge le", null=True, blank=True)

    # Private follow link: only the SHA-256 of the token is stored.
    follow_token_hash = models.CharField(max_length=64, editable=False)

    # First-response commitment, in working days (CLAUSES_DESK_FIRST_RESPONSE_WORKING_DAYS).
    first_response_due = models.DateField("première réponse attendue le")
    first_response_at = models.DateTimeField("première réponse le", null=True, blank=True)
    first_response_working_days = models.PositiveSmallIntegerField(
        "délai de première réponse (jours ouvrés)",
        null=True,
        blank=True,
        help_text="Calculé à la première réponse : sert aux médianes du tableau de bord.",
    )
    escalation_count = models.PositiveSmallIntegerField("remontées", default=0)

    created_at = models.DateTimeField("déposée le", default=timezone.now, db_index=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)

    # Hook for the markets app: the id of the market created from this request (the markets
    # app depends on the desk, not the other way round, so this is a plain integer). Filled
    # by `services.mark_converted`; `services.planned_market_facts` gives the market's facts.
    converted_market_id = models.PositiveBigIntegerField(
        "marché créé", null=True, blank=True, db_index=True
    )
    converted_at = models.DateTimeField("transformée en marché le", null=True, blank=True)

    is_demo = models.BooleanField("donnée de démonstration", default=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande au guichet"
        verbose_name_plural = "demandes au guichet"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "first_response_due"], name="desk_request_status_due"),
            models.Index(fields=["target_structure", "status"], name="desk_request_structure"),
            models.Index(fields=["target_coordination", "status"], name="desk_request_coord"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=RequestStatus.CLOSED)
                | (models.Q(closed_at__isnull=False) & ~models.Q(outcome="")),
                name="desk_request_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(target_structure=None)
                | models.Q(target_level=TargetLevel.STRUCTURE),
                name="desk_request_structure_target_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.buyer_name}"

    @property
    def is_open(self) -> bool:
        return self.status != RequestStatus.CLOSED

    @property
    def target_name(self) -> str:
        if self.target_level == TargetLevel.GREEN_DESK:
            return "Guichet vert"
        if self.target_structure_id:
            return self.target_structure.name
        if self.target_coordination_id:
            return self.target_coordination.name
        return TargetLevel(self.target_level).label


class Assignment(models.Model):
    """One routing of a request: the automatic one at filing, then every reassignment and
    escalation. `by` is empty for an automatic decision."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="assignments", verbose_name="demande"
    )
    target_level = models.CharField("échelon", max_length=15, choices=TargetLevel.choices)
    target_coordination = models.ForeignKey(
        Coordination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="coordination",
    )
    target_structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="structure",
    )
    rule = models.CharField("règle", max_length=25, choices=RoutingRule.choices, blank=True)
    reason = models.TextField("motif")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "orientation"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request.reference} → {self.get_target_level_display()}"


class Message(models.Model):
    """A message of the exchange: a reply to the buyer (emailed, shown on the follow link),
    a message from the buyer, or an internal note (never shown to the buyer)."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="messages", verbose_name="demande"
    )
    kind = models.CharField("type", max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur·rice",
    )
    body = models.TextField("message")
    created_at = models.DateTimeField("le", default=timezone.now)
    emailed_at = models.DateTimeField("envoyé par courriel le", null=True, blank=True)

    class Meta:
        verbose_name = "message"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request.reference} — {self.get_kind_display()}"

    @property
    def is_visible_to_buyer(self) -> bool:
        return self.kind != MessageKind.INTERNAL_NOTE


def attachment_path(instance: "Attachment", filename: str) -> str:
    """`desk/<reference>/<sha256 prefix>-<safe name>`: the name given by the user is kept
    in `original_name`, never trusted for the path."""
    extension = AttachmentType(instance.detected_type).value
    return f"desk/{instance.request.reference}/{instance.sha256[:16]}.{extension}"


class Attachment(models.Model):
    """A file joined to a request or to a message, checked by its content before it is
    stored (`attachments.py`)."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="attachments", verbose_name="demande"
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="message",
    )
    file = models.FileField("fichier", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=200)
    detected_type = models.CharField("type", max_length=10, choices=AttachmentType.choices)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    created_at = models.DateTimeField("ajouté le", default=timezone.now)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class RequestEvent(JournalEntry):
    """One transition of a request, written by every service: the request's journal
    (append-only, `JournalEntry`)."""

    created_at = models.DateTimeField("le", default=timezone.now, db_index=True)
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", verbose_name="demande"
    )
    kind = models.CharField("événement", max_length=20, choices=EventKind.choices)

    class Meta(JournalEntry.Meta):
        verbose_name = "événement d'une demande"
        verbose_name_plural = "événements des demandes"

    def __str__(self) -> str:
        return f"{self.request.reference} — {self.get_kind_display()}"
