from django.db import models
from django.utils import timezone

from clauses.observatory.enums import ContractCategory, ContractKind, SocialStatus, SourceFormat
from clauses.territories.models import Department


class PublishedContractQuerySet(models.QuerySet):
    def in_territory(
        self, *, department: str = "", region: str = ""
    ) -> "PublishedContractQuerySet":
        if department:
            return self.filter(department_code=department)
        if region:
            codes = Department.objects.filter(region__code=region).values("code")
            return self.filter(department_code__in=codes)
        return self

    def of_buyer(self, siret: str) -> "PublishedContractQuerySet":
        """A buyer's contracts: its SIRET exactly, or its SIREN for a 9-digit identifier."""
        if len(siret) == 9:
            return self.filter(buyer_siren=siret)
        return self.filter(buyer_siren=siret[:9], buyer_siret=siret)


class PublishedContract(models.Model):
    """One contract as its buyer published it in the DECP, once however many modifications
    it has (the latest modification's amount and duration), identified like the national
    consolidation: `uid` = the buyer's identifier + the contract's `id`."""

    uid = models.CharField("identifiant national", max_length=100, unique=True)
    decp_id = models.CharField("identifiant DECP", max_length=64)
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14)
    buyer_siren = models.CharField("SIREN de l'acheteur", max_length=9, blank=True)
    buyer_name = models.CharField("acheteur", max_length=300, blank=True)
    category = models.CharField(
        "catégorie", max_length=12, choices=ContractCategory.choices, default="market"
    )
    nature = models.CharField("nature", max_length=80, blank=True)
    kind = models.CharField("type", max_length=10, choices=ContractKind.choices, blank=True)
    subject = models.CharField("objet", max_length=500, blank=True)
    cpv = models.CharField("code CPV", max_length=10, blank=True)
    cpv_division = models.CharField("division CPV", max_length=2, blank=True)
    procedure = models.CharField("procédure", max_length=120, blank=True)
    amount = models.DecimalField("montant (€ HT)", max_digits=15, decimal_places=2, null=True)
    duration_months = models.PositiveIntegerField("durée (mois)", null=True)
    notification_date = models.DateField("notification", null=True)
    year = models.PositiveSmallIntegerField("année", null=True)
    department_code = models.CharField("département", max_length=3, blank=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    social_status = models.CharField(
        "considération sociale", max_length=8, choices=SocialStatus.choices
    )
    social_considerations = models.CharField(
        "considérations sociales publiées", max_length=200, blank=True
    )
    source_format = models.CharField(
        "format", max_length=10, choices=SourceFormat.choices, default="json_2024"
    )
    modification_rank = models.PositiveIntegerField("modifications prises en compte", default=0)
    source = models.CharField("source", max_length=200, blank=True)
    imported_at = models.DateTimeField("importé le", default=timezone.now)

    objects = PublishedContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat publié (DECP)"
        verbose_name_plural = "contrats publiés (DECP)"
        ordering = ["-notification_date", "uid"]
        # Few indexes: each one slows the import of a million rows (measured, bench/).
        # A region is its départements (in_territory); a buyer's SIRET is searched with
        # its SIREN.
        indexes = [
            # The territory summary reads its four columns from this index (measured on
            # 300,000 rows: 926 → 27 ms for a département's year, bench/observatory.py).
            models.Index(
                fields=["department_code", "year", "social_status", "amount"],
                name="decp_territory_summary",
            ),
            models.Index(fields=["buyer_siren"], name="decp_buyer_siren"),
            models.Index(fields=["decp_id"], name="decp_id"),
        ]

    def __str__(self) -> str:
        return f"{self.decp_id} — {self.subject[:60]}"

    @property
    def labels(self) -> list[str]:
        return [label for label in self.social_considerations.split(", ") if label]
