"""A buyer's procurement programme (programmation achat), its lines, the analysis of each
line (`rules.analyse_line`, stored as it was computed) and the facilitator's review.

No business rule here: uploading, analysing, reviewing and turning a line into a planned
market are services (`services.py`); who sees what is `policies.py`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.accounts.models import Organisation
from clauses.desk.enums import PublicationTiming
from clauses.desk.models import Request
from clauses.markets.models import Market
from clauses.markets.rules import MarketKind
from clauses.programme.enums import ReviewDecision
from clauses.programme.rules import Recommendation
from clauses.territories.models import Commune, CpvCode, Department

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class Programme(models.Model):
    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="programmes",
        verbose_name="acheteur",
        limit_choices_to={"kind": "buyer"},
    )
    title = models.CharField("intitulé", max_length=200)
    file_name = models.CharField("fichier importé", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    uploaded_at = models.DateTimeField("importé le", default=timezone.now)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "programmation achat"
        verbose_name_plural = "programmations achat"
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["buyer", "-uploaded_at"], name="programme_buyer")]

    def __str__(self) -> str:
        return self.title


class ProgrammeLine(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="lines", verbose_name="programmation"
    )
    number = models.PositiveIntegerField("ligne du fichier")
    # What the buyer wrote.
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    purchase_category = models.CharField("catégorie d'achat", max_length=200, blank=True)
    cpv = models.ForeignKey(
        CpvCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="code CPV",
    )
    kind = models.CharField("type de marché", max_length=10, choices=MarketKind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département d'exécution",
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune d'exécution",
    )
    amount_ht = models.DecimalField("montant estimé (€ HT)", **AMOUNT, null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True)
    launch_date = models.DateField("lancement prévu", null=True, blank=True)
    # The analysis, as `rules.analyse_line` gave it on upload (or on a new analysis).
    family = models.CharField("famille d'achat", max_length=40, blank=True)
    recommendations = models.JSONField("recommandations", default=list)  # [{code, reason}]
    hours = models.PositiveIntegerField("heures d'insertion estimées", null=True, blank=True)
    hours_formula = models.TextField("calcul des heures", blank=True)
    obligation_mandatory = models.BooleanField("condition sociale obligatoire", default=False)
    obligation_reason = models.TextField("obligation (L2112-2-1)", blank=True)
    reasons = models.JSONField("motifs", default=list)
    local_supply = models.JSONField("offre locale", default=dict)
    analysed_at = models.DateTimeField("analysée le", default=timezone.now)
    # The facilitator's review.
    decision = models.CharField(
        "revue", max_length=10, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    chosen = models.CharField(
        "considération retenue",
        max_length=30,
        choices=Recommendation.choices,
        blank=True,
        help_text="Quand le facilitateur change la recommandation.",
    )
    comment = models.TextField("commentaire", blank=True)
    to_discuss = models.BooleanField("à discuter", default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="revue par",
    )
    reviewer_name = models.CharField("revue par", max_length=300, blank=True)
    reviewed_at = models.DateTimeField("revue le", null=True, blank=True)
    desk_request = models.ForeignKey(
        Request,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demande au guichet liée",
    )
    # The planned market the line became.
    market = models.OneToOneField(
        Market,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_line",
        verbose_name="marché prévu",
    )
    publication_timing = models.CharField(
        "moment de la transformation",
        max_length=20,
        choices=PublicationTiming.choices,
        blank=True,
    )
    converted_at = models.DateTimeField("transformée le", null=True, blank=True)

    class Meta:
        verbose_name = "ligne de programmation"
        verbose_name_plural = "lignes de programmation"
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="unique_programme_line_number"
            )
        ]

    def __str__(self) -> str:
        return f"Ligne {self.number} — {self.title}"

    @property
    def recommendation_codes(self) -> list[str]:
        return [item["code"] for item in self.recommendations]

    @property
    def retained(self) -> str:
        """The consideration the review retains: the facilitator's choice when changed,
        else the first recommendation of the analysis."""
        if self.decision == ReviewDecision.CHANGED and self.chosen:
            return self.chosen
        codes = self.recommendation_codes
        return codes[0] if codes else Recommendation.NONE

    @property
    def retained_label(self) -> str:
        return Recommendation(self.retained).label
