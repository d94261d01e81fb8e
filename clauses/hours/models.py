"""Hour declarations, their control, how they were counted, and the settings of counting.

No business rule here: counting is `rules.py` (pure), writes are `services.py` and
`imports.py` (each with an audit event), who sees what is `policies.py`, reads shared by
pages and API are `selectors.py`.

Declared and counted values are kept apart: `declared_hours` / `declared_amount_ht` are
what the company reported and never change on counting; `counted_hours` is computed by
`rules.count_declaration` with `counting_rule` (code) and `counting_detail` (steps and
inputs), recomputed when a validation, an agreement or a setting changes.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.accounts.models import Organisation
from clauses.core.models import JournalEntry
from clauses.followup.models import Assignment
from clauses.hours import rules
from clauses.hours.enums import DeclarationSource, DeclarationStatus
from clauses.markets.models import SocialConsideration
from clauses.network.models import Coordination
from clauses.territories.models import Department, Region

HOURS = {"max_digits": 8, "decimal_places": 2}
AMOUNT = {"max_digits": 14, "decimal_places": 2}
SHARE = {"max_digits": 6, "decimal_places": 4}


class ImportBatch(models.Model):
    """One spreadsheet (or API call) of declarations, by its content's hash: the same file
    sent again is recognised and changes nothing."""

    company = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="hour_import_batches",
        verbose_name="entreprise",
    )
    source = models.CharField(
        "origine",
        max_length=12,
        choices=DeclarationSource.choices,
        default=DeclarationSource.SPREADSHEET,
    )
    file_name = models.CharField("nom du fichier", max_length=255, blank=True)
    file_hash = models.CharField("empreinte SHA-256", max_length=64)
    rows = models.PositiveIntegerField("lignes", default=0)
    created_count = models.PositiveIntegerField("déclarations créées", default=0)
    updated_count = models.PositiveIntegerField("déclarations modifiées", default=0)
    unchanged_count = models.PositiveIntegerField("déclarations inchangées", default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    imported_by_repr = models.CharField("importé par (libellé)", max_length=300, blank=True)
    imported_at = models.DateTimeField("importé le", default=timezone.now)

    class Meta:
        verbose_name = "import de déclarations"
        verbose_name_plural = "imports de déclarations"
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "file_hash"], name="unique_hour_import_per_company"
            ),
        ]

    def __str__(self) -> str:
        return f"Import du {timezone.localtime(self.imported_at):%d/%m/%Y %H:%M}"


class HourDeclaration(models.Model):
    """The hours (or, for subcontracting, the amount) of one assignment in one month."""

    # Indexes (#15, measured with pg_stat_user_indexes after the benchmarks, national
    # dataset): the unique (assignment, month) serves every lookup by assignment, so the
    # foreign key has no index of its own; (month, status) serves the month ranges and the
    # control queue (walked in month order, the status checked in the index: 80 ms for a
    # region's queue, 7.8 s without it), so (status, month) went; declared_by,
    # controlled_by and batch are never filtered on (a user is never deleted by the
    # application, a batch's company cannot be while it has assignments): no index.
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="hour_declarations",
        verbose_name="mission",
        db_index=False,
    )
    month = models.DateField("mois", help_text="Premier jour du mois travaillé.")
    declared_hours = models.DecimalField("heures déclarées", **HOURS, null=True, blank=True)
    declared_amount_ht = models.DecimalField(
        "montant sous-traité déclaré (€ HT)",
        **AMOUNT,
        null=True,
        blank=True,
        help_text="Sous-traitance ou cotraitance avec une SIAE, une EA ou un ESAT : le "
        "montant est converti en heures selon les paramètres du territoire.",
    )
    is_training = models.BooleanField("heures de formation", default=False)
    status = models.CharField(
        "statut",
        max_length=15,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.SUBMITTED,
    )
    rejection_reason = models.TextField("motif du refus ou de la correction", blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déclarée par",
        db_index=False,
    )
    declared_by_repr = models.CharField("déclarée par (libellé)", max_length=300, blank=True)
    declared_at = models.DateTimeField("déclarée le", default=timezone.now)
    controlled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="contrôlée par",
        db_index=False,
    )
    controlled_at = models.DateTimeField("contrôlée le", null=True, blank=True)
    source = models.CharField(
        "origine", max_length=12, choices=DeclarationSource.choices, default=DeclarationSource.FORM
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name="import",
        help_text="L'import qui a créé la déclaration (une correction garde celui-ci).",
        db_index=False,
    )
    # The counted value, computed by rules.count_declaration, and how.
    base_hours = models.DecimalField(
        "heures avant règles",
        **HOURS,
        default=0,
        help_text="Heures déclarées, ou montant converti en heures.",
    )
    counted_hours = models.DecimalField("heures comptées", **HOURS, default=0)
    counting_rule = models.CharField(
        "règle appliquée", max_length=30, default=rules.RULE_NOT_VALIDATED
    )
    counting_detail = models.JSONField("détail du calcul", default=dict, blank=True)
    counted_at = models.DateTimeField("calculée le", null=True, blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "déclaration d'heures"
        verbose_name_plural = "déclarations d'heures"
        ordering = ["-month", "assignment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "month"], name="unique_hour_declaration_month"
            ),
            models.CheckConstraint(
                condition=models.Q(declared_hours__isnull=False)
                | models.Q(declared_amount_ht__isnull=False),
                name="hour_declaration_has_value",
            ),
            models.CheckConstraint(
                condition=models.Q(declared_hours__isnull=True)
                | models.Q(declared_hours__gte=0, declared_hours__lte=rules.MONTHLY_CEILING_HOURS),
                name="hour_declaration_hours_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "status"], name="hour_declaration_month"),
        ]

    def __str__(self) -> str:
        return f"Déclaration de {self.month:%m/%Y} (mission n° {self.assignment_id})"

    @property
    def rule_label(self) -> str:
        return rules.RULE_LABELS.get(self.counting_rule, self.counting_rule)

    @property
    def uncounted_hours(self):  # noqa: ANN201 — Decimal
        """Validated hours that did not count (0 before validation: nothing is decided)."""
        if self.status != DeclarationStatus.VALIDATED:
            return rules.ZERO
        return rules.uncounted_hours(self.base_hours, self.counted_hours)

    @property
    def uncounted_reason(self) -> str:
        """Why, in plain French (`rules.uncounted_reason`), when some hours did not count."""
        if not self.uncounted_hours:
            return ""
        return rules.uncounted_reason(self.counting_rule, self.counting_detail)


class DeclarationEvent(JournalEntry):
    """One thing that happened to a declaration: declared, changed, controlled, recounted."""

    declaration = models.ForeignKey(
        HourDeclaration, on_delete=models.CASCADE, related_name="events", verbose_name="déclaration"
    )
    kind = models.CharField("type", max_length=30)
    from_status = models.CharField("statut avant", max_length=15, blank=True)
    to_status = models.CharField("statut après", max_length=15, blank=True)
    reason = models.TextField("motif", blank=True)

    class Meta(JournalEntry.Meta):
        verbose_name = "événement de déclaration"
        verbose_name_plural = "événements de déclarations"

    def __str__(self) -> str:
        return f"{self.kind} — {self.declaration_id}"


class CountingSettings(models.Model):
    """How a territory counts hours (docs/domain-rules.md §3.2, §4.2: every [U] value is a
    setting, not a constant). One per département or per region; a département's settings
    win over its region's; without either, `rules.Settings()` defaults apply."""

    coordination = models.ForeignKey(
        Coordination,
        on_delete=models.CASCADE,
        related_name="counting_settings",
        verbose_name="coordination",
    )
    department = models.OneToOneField(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    region = models.OneToOneField(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
    )
    labour_share = models.DecimalField(
        "part de main-d'œuvre (conversion des montants)",
        **SHARE,
        default=rules.DEFAULT_LABOUR_SHARE,
    )
    hourly_cost = models.DecimalField(
        "coût horaire chargé (conversion des montants, €)",
        max_digits=8,
        decimal_places=2,
        default=rules.DEFAULT_HOURLY_COST,
    )
    training_counted = models.BooleanField("heures de formation comptées", default=True)
    training_monthly_cap = models.DecimalField(
        "plafond mensuel des heures de formation", **HOURS, null=True, blank=True
    )
    cdi_bonus = models.DecimalField(
        "coefficient de bonification d'un CDI",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Vide : pas de bonification (aucune source ne la fixe).",
    )
    alternance_bonus = models.DecimalField(
        "coefficient de bonification d'un contrat en alternance",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
    )
    eligibility_months = models.PositiveSmallIntegerField(
        "durée de validité de l'éligibilité (mois)", default=rules.DEFAULT_ELIGIBILITY_MONTHS
    )
    schedule_tolerance = models.DecimalField(
        "tolérance de retard sur le calendrier",
        **SHARE,
        default=rules.DEFAULT_SCHEDULE_TOLERANCE,
        help_text="En fraction : 0,15 = alerte quand l'avancement a 15 points de retard sur "
        "le temps écoulé.",
    )
    source = models.TextField("source ou justification", blank=True)
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
        verbose_name = "paramètres de comptage"
        verbose_name_plural = "paramètres de comptage"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(department__isnull=False, region=None)
                | models.Q(department=None, region__isnull=False),
                name="counting_settings_one_territory",
            ),
        ]

    def __str__(self) -> str:
        return f"Paramètres de comptage ({self.department or self.region})"

    def as_rules(self) -> rules.Settings:
        return rules.Settings(
            labour_share=self.labour_share,
            hourly_cost=self.hourly_cost,
            training_counted=self.training_counted,
            training_monthly_cap=self.training_monthly_cap,
            cdi_bonus=self.cdi_bonus,
            alternance_bonus=self.alternance_bonus,
            eligibility_months=self.eligibility_months,
            schedule_tolerance=self.schedule_tolerance,
        )


class GlobalisationAgreement(models.Model):
    """A "convention de globalisation": it lets the hours of one company be pooled across
    the clauses it links (docs/domain-rules.md §4.2 [S]). Without one, no carry-over."""

    company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="globalisation_agreements",
        verbose_name="entreprise",
        limit_choices_to={"kind": "company"},
    )
    reference = models.CharField("référence", max_length=100)
    clauses = models.ManyToManyField(
        SocialConsideration, related_name="globalisation_agreements", verbose_name="clauses"
    )
    signed_on = models.DateField("signée le")
    ended_on = models.DateField("résiliée le", null=True, blank=True)
    notes = models.TextField("précisions", blank=True)
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
        verbose_name = "convention de globalisation"
        verbose_name_plural = "conventions de globalisation"
        ordering = ["-signed_on", "pk"]

    def __str__(self) -> str:
        return f"Convention {self.reference}"
