"""Procurement: operations, markets, lots, contractors, meetings, social considerations
(with the hour target and how it was obtained), and what coordinations set for their
territory (calculator presets, clause templates).

No business rule here: creating, changing status, computing hours, importing, converting a
desk request are services (`services.py`, `imports.py`) that write a `MarketEvent`; who sees
what is in `policies.py`; shared reads in `selectors.py`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.accounts.models import Organisation
from clauses.core.models import JournalEntry
from clauses.desk.models import Request
from clauses.markets.enums import (
    DECP_VALUE,
    LEGAL_BASIS,
    ConsiderationKind,
    ContractorRole,
    HourMethod,
    MarketEventKind,
    MarketStatus,
    MeetingKind,
    OperationKind,
    Procedure,
)
from clauses.markets.querysets import MarketQuerySet
from clauses.markets.rules import MarketKind, Sector
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.territories.models import Commune, CpvCode, Department, Region

AMOUNT = {"max_digits": 14, "decimal_places": 2}
SHARE = {"max_digits": 6, "decimal_places": 4}


class Operation(models.Model):
    """A set of markets for one project, e.g. an urban renewal project whose national ANRU
    charter sets its own insertion target (≥ 5 % of hours worked, 10 % in GUP)."""

    name = models.CharField("nom", max_length=250)
    kind = models.CharField(
        "type", max_length=20, choices=OperationKind.choices, default=OperationKind.OTHER
    )
    description = models.TextField("présentation", blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="+", verbose_name="communes"
    )
    insertion_rate = models.DecimalField(
        "taux d'insertion visé",
        **SHARE,
        null=True,
        blank=True,
        help_text="En fraction des heures travaillées (0,05 pour 5 %). Charte ANRU : 5 % "
        "(travaux et ingénierie), 10 % (gestion urbaine de proximité).",
    )
    default_preset = models.CharField(
        "préréglage du calculateur", max_length=40, blank=True, default=""
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField("créée le", default=timezone.now)

    class Meta:
        verbose_name = "opération"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Market(models.Model):
    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="markets",
        verbose_name="acheteur",
        limit_choices_to={"kind": "buyer"},
    )
    operation = models.ForeignKey(
        Operation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="markets",
        verbose_name="opération",
    )
    reference = models.CharField("référence", max_length=60)
    subject = models.CharField("objet", max_length=300)
    procedure = models.CharField("procédure", max_length=30, choices=Procedure.choices, blank=True)
    kind = models.CharField("type de marché", max_length=10, choices=MarketKind.choices)
    cpv = models.ForeignKey(
        CpvCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="code CPV principal",
    )
    estimated_amount_ht = models.DecimalField(
        "montant estimé (€ HT)", **AMOUNT, null=True, blank=True
    )
    awarded_amount_ht = models.DecimalField(
        "montant attribué (€ HT)", **AMOUNT, null=True, blank=True
    )
    consultation_launch_date = models.DateField(
        "lancement de la consultation", null=True, blank=True
    )
    planned_publication_date = models.DateField("publication prévue", null=True, blank=True)
    notification_date = models.DateField("notification", null=True, blank=True)
    start_date = models.DateField("début d'exécution", null=True, blank=True)
    end_date = models.DateField("fin d'exécution", null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True)
    execution_communes = models.ManyToManyField(
        Commune, blank=True, related_name="markets", verbose_name="communes d'exécution"
    )
    status = models.CharField(
        "statut", max_length=20, choices=MarketStatus.choices, default=MarketStatus.PLANNED
    )
    following_structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="markets",
        verbose_name="structure facilitatrice qui suit le marché",
    )
    facilitator = models.ForeignKey(
        Facilitator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="markets",
        verbose_name="facilitateur·rice",
    )
    desk_request = models.OneToOneField(
        Request,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="market",
        verbose_name="demande au guichet d'origine",
    )
    defence_or_security = models.BooleanField("marché de défense ou de sécurité", default=False)
    # The contract's `id` in the données essentielles (DECP) its buyer publishes after award;
    # the observatory matches it with (this id, the buyer's SIRET). Empty until known.
    decp_id = models.CharField(
        "identifiant DECP",
        max_length=64,
        blank=True,
        db_index=True,
        help_text="L'identifiant du marché dans les données essentielles de la commande "
        "publique (DECP) publiées par l'acheteur après l'attribution.",
    )
    derogation_reason = models.TextField(
        "motif de dérogation à la condition sociale obligatoire",
        blank=True,
        help_text="Obligatoire quand l'article L2112-2-1 impose une condition d'exécution "
        "sociale et qu'un lot n'en a pas.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    updated_at = models.DateTimeField("modifié le", default=timezone.now)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    objects = MarketQuerySet.as_manager()

    class Meta:
        verbose_name = "marché"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "reference"], name="unique_market_reference_per_buyer"
            ),
        ]
        indexes = [
            models.Index(fields=["following_structure", "status"], name="market_structure"),
            models.Index(fields=["buyer", "status"], name="market_buyer"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"

    @property
    def consultation_date(self) -> object:
        """The date the L2112-2-1 check uses: launch, else planned publication."""
        return self.consultation_launch_date or self.planned_publication_date

    @property
    def is_closed(self) -> bool:
        return self.status == MarketStatus.CLOSED


class MarketEvent(JournalEntry):
    """One thing that happened to a market (status change, clause saved…): its history."""

    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="events", verbose_name="marché"
    )
    kind = models.CharField("type", max_length=30, choices=MarketEventKind.choices)
    from_status = models.CharField(
        "statut avant", max_length=20, choices=MarketStatus.choices, blank=True
    )
    to_status = models.CharField(
        "statut après", max_length=20, choices=MarketStatus.choices, blank=True
    )

    class Meta(JournalEntry.Meta):
        verbose_name = "événement de marché"
        verbose_name_plural = "événements de marchés"

    def __str__(self) -> str:
        return f"{self.market.reference} — {self.get_kind_display()}"


class Lot(models.Model):
    """A lot; a market that is not divided has one lot, number 1 ("Lot unique")."""

    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="lots", verbose_name="marché"
    )
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=300)
    cpv = models.ForeignKey(
        CpvCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="code CPV",
    )
    estimated_amount_ht = models.DecimalField(
        "montant estimé (€ HT)", **AMOUNT, null=True, blank=True
    )
    awarded_amount_ht = models.DecimalField(
        "montant attribué (€ HT)", **AMOUNT, null=True, blank=True
    )
    derogation_reason = models.TextField(
        "motif de dérogation à la condition sociale obligatoire", blank=True
    )
    contractors = models.ManyToManyField(
        Organisation,
        through="LotContractor",
        related_name="contracted_lots",
        verbose_name="entreprises",
    )

    class Meta:
        verbose_name = "lot"
        ordering = ["market", "number"]
        constraints = [
            models.UniqueConstraint(fields=["market", "number"], name="unique_lot_number"),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number} — {self.title}"


class LotContractor(models.Model):
    """A company that executes a lot, as holder, co-contractor or subcontractor."""

    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, related_name="contractor_links", verbose_name="lot"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="lot_links",
        verbose_name="entreprise",
        limit_choices_to={"kind": "company"},
    )
    role = models.CharField("rôle", max_length=20, choices=ContractorRole.choices)
    amount_ht = models.DecimalField("montant (€ HT)", **AMOUNT, null=True, blank=True)
    created_at = models.DateTimeField("ajoutée le", default=timezone.now)

    class Meta:
        verbose_name = "entreprise d'un lot"
        verbose_name_plural = "entreprises des lots"
        ordering = ["lot", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "organisation", "role"], name="unique_lot_contractor_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Meeting(models.Model):
    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, related_name="meetings", verbose_name="marché"
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="lot",
    )
    kind = models.CharField("type", max_length=20, choices=MeetingKind.choices)
    date = models.DateTimeField("date")
    location = models.CharField("lieu", max_length=300, blank=True)
    attendees = models.TextField("participants", blank=True)
    notes = models.TextField("compte rendu", blank=True)
    facilitator_invited = models.BooleanField("facilitateur·rice invité·e", default=False)
    invited_at = models.DateTimeField("invitation envoyée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)

    class Meta:
        verbose_name = "réunion"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {timezone.localtime(self.date):%d/%m/%Y}"


class SocialConsideration(models.Model):
    """A social term of a lot, with its legal basis and, for insertion clauses, the hour
    target and every input of its calculation (docs/domain-rules.md §2.4)."""

    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, related_name="considerations", verbose_name="lot"
    )
    kind = models.CharField("type", max_length=30, choices=ConsiderationKind.choices)
    description = models.TextField("précisions", blank=True)
    eligible_publics = models.JSONField("publics éligibles", default=list, blank=True)
    modalities = models.JSONField("modalités de mise en œuvre proposées", default=list, blank=True)

    # The hour target and how it was obtained.
    hours_method = models.CharField(
        "méthode de calcul", max_length=20, choices=HourMethod.choices, blank=True
    )
    preset_code = models.CharField("préréglage", max_length=40, blank=True)
    preset_source = models.TextField("source du préréglage", blank=True)
    amount_ht = models.DecimalField("montant de calcul (€ HT)", **AMOUNT, null=True, blank=True)
    labour_share = models.DecimalField("part de main-d'œuvre", **SHARE, null=True, blank=True)
    hourly_cost = models.DecimalField(
        "coût horaire chargé (€)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    insertion_rate = models.DecimalField("taux d'insertion", **SHARE, null=True, blank=True)
    duration_months = models.DecimalField(
        "durée (mois)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    transferred_staff_monthly_hours = models.DecimalField(
        "heures mensuelles du personnel repris",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    formula = models.TextField("calcul", blank=True)
    calculation_warnings = models.JSONField("avertissements du calcul", default=list, blank=True)
    calculated_hours = models.PositiveIntegerField("heures calculées", null=True, blank=True)
    hours_override = models.PositiveIntegerField(
        "heures retenues (ajustement)", null=True, blank=True
    )
    override_reason = models.TextField("motif de l'ajustement", blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ajusté par",
    )
    overridden_at = models.DateTimeField("ajusté le", null=True, blank=True)
    penalty_per_missing_hour = models.DecimalField(
        "pénalité par heure manquante (€)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "considération sociale"
        verbose_name_plural = "considérations sociales"
        ordering = ["lot", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "kind"], name="unique_consideration_kind"),
            models.CheckConstraint(
                condition=models.Q(hours_override=None) | ~models.Q(override_reason=""),
                name="consideration_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.lot}"

    @property
    def hours_target(self) -> int | None:
        """The hours due: the facilitator's adjustment when there is one, else the result."""
        return self.hours_override if self.hours_override is not None else self.calculated_hours

    @property
    def legal_basis(self) -> str:
        return LEGAL_BASIS[self.kind]

    @property
    def decp_value(self) -> str:
        return str(DECP_VALUE[self.kind])


class HourPresetSetting(models.Model):
    """A calculator preset set by a coordination for its territory (a département or a
    region): it overrides the national default of the same code, or adds one. Values the
    sources do not give (docs/domain-rules.md §2.4, [U]) stay empty or are marked
    unverified, and are shown so."""

    coordination = models.ForeignKey(
        Coordination,
        on_delete=models.CASCADE,
        related_name="hour_presets",
        verbose_name="coordination",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
    )
    code = models.SlugField("code", max_length=40)
    label = models.CharField("libellé", max_length=200)
    sector = models.CharField(
        "méthode", max_length=20, choices=Sector.choices, default=Sector.STANDARD
    )
    labour_share = models.DecimalField("part de main-d'œuvre", **SHARE, null=True, blank=True)
    hourly_cost = models.DecimalField(
        "coût horaire chargé (€)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    insertion_rate = models.DecimalField("taux d'insertion", **SHARE, null=True, blank=True)
    minimum_hours = models.PositiveIntegerField("minimum d'heures", null=True, blank=True)
    source = models.TextField("source")
    verified = models.BooleanField(
        "valeur sourcée",
        default=False,
        help_text="Décochée : la valeur n'a pas de source vérifiée ; elle est signalée.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifié par",
    )
    updated_at = models.DateTimeField("modifié le", default=timezone.now)

    class Meta:
        verbose_name = "préréglage du calculateur"
        verbose_name_plural = "préréglages du calculateur"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(department__isnull=False, region=None)
                | models.Q(department=None, region__isnull=False),
                name="hour_preset_one_territory",
            ),
            models.UniqueConstraint(
                fields=["department", "code"],
                condition=models.Q(department__isnull=False),
                name="unique_hour_preset_department",
            ),
            models.UniqueConstraint(
                fields=["region", "code"],
                condition=models.Q(region__isnull=False),
                name="unique_hour_preset_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.department or self.region})"


class ClauseTemplate(models.Model):
    """The text of a clause for the tender documents, written by a coordination for its
    territory, one per kind of consideration. Placeholders only (`{heures}`…, see
    `clause_text.PLACEHOLDERS`): the body is never executed as template code."""

    coordination = models.ForeignKey(
        Coordination,
        on_delete=models.CASCADE,
        related_name="clause_templates",
        verbose_name="coordination",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
    )
    kind = models.CharField(
        "type de considération", max_length=30, choices=ConsiderationKind.choices
    )
    title = models.CharField("titre", max_length=200)
    body = models.TextField("texte")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifié par",
    )
    updated_at = models.DateTimeField("modifié le", default=timezone.now)

    class Meta:
        verbose_name = "modèle de clause"
        verbose_name_plural = "modèles de clauses"
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(department__isnull=False, region=None)
                | models.Q(department=None, region__isnull=False),
                name="clause_template_one_territory",
            ),
            models.UniqueConstraint(
                fields=["department", "kind"],
                condition=models.Q(department__isnull=False),
                name="unique_clause_template_department",
            ),
            models.UniqueConstraint(
                fields=["region", "kind"],
                condition=models.Q(region__isnull=False),
                name="unique_clause_template_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.department or self.region})"
