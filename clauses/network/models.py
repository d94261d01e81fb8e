"""The facilitation network: coordinations, facilitator structures, facilitators, partners.

Coverage is expressed with the territories people use (communes, EPCI, EPT, départements);
`network/coverage.py` turns it into "who covers this commune". Every change made to these
records (admin or code) is kept in a history table by django-simple-history: who, when, what.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from clauses.network.enums import CarrierKind, CoordinationLevel, PartnerKind
from clauses.network.querysets import (
    CoordinationQuerySet,
    FacilitatorQuerySet,
    FacilitatorStructureQuerySet,
    PartnerQuerySet,
)
from clauses.territories.models import Commune, Department, Epci, Ept, Region


class Contact(models.Model):
    """Contact fields shared by every directory entry."""

    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    is_demo = models.BooleanField(
        "donnée de démonstration",
        default=False,
        help_text="Donnée inventée pour la démonstration : jamais en production.",
    )

    class Meta:
        abstract = True


class Coordination(Contact):
    level = models.CharField("échelon", max_length=15, choices=CoordinationLevel.choices)
    name = models.CharField("nom", max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="coordination de rattachement",
    )
    carrier_name = models.CharField("structure porteuse", max_length=200)
    carrier_siret = models.CharField("SIRET de la structure porteuse", max_length=14, blank=True)
    mission = models.CharField(
        "mission",
        max_length=200,
        blank=True,
        help_text="Par exemple : Mission d'appui au développement des clauses sociales (MACS).",
    )
    since_year = models.PositiveSmallIntegerField("depuis", null=True, blank=True)
    funders = models.CharField("financeurs", max_length=300, blank=True)
    description = models.TextField("présentation", blank=True)
    # Territory: the region (regional), one département (departmental), communes (local).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="région"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinations",
        verbose_name="département",
    )
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="local_coordinations", verbose_name="communes"
    )
    epcis = models.ManyToManyField(Epci, blank=True, verbose_name="EPCI couverts")
    epts = models.ManyToManyField(Ept, blank=True, verbose_name="EPT couverts")
    desk_email = models.EmailField("adresse du guichet social", blank=True)
    green_desk_email = models.EmailField("adresse du guichet vert", blank=True)

    history = HistoricalRecords(m2m_fields=[communes, epcis, epts])
    objects = CoordinationQuerySet.as_manager()

    class Meta:
        verbose_name = "coordination"
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(level=CoordinationLevel.DEPARTMENTAL),
                name="one_departmental_coordination_per_department",
            ),
            models.CheckConstraint(
                condition=~models.Q(level=CoordinationLevel.DEPARTMENTAL)
                | models.Q(department__isnull=False),
                name="departmental_coordination_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FacilitatorStructure(Contact):
    name = models.CharField("nom", max_length=200)
    carrier_kind = models.CharField(
        "type de structure porteuse", max_length=20, choices=CarrierKind.choices
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)
    coordination = models.ForeignKey(
        Coordination,
        on_delete=models.PROTECT,
        related_name="structures",
        verbose_name="coordination de rattachement",
    )
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="structures", verbose_name="communes couvertes"
    )
    epcis = models.ManyToManyField(
        Epci, blank=True, related_name="structures", verbose_name="EPCI couverts"
    )
    epts = models.ManyToManyField(
        Ept, blank=True, related_name="structures", verbose_name="EPT couverts"
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="structures", verbose_name="départements couverts"
    )
    is_active = models.BooleanField("active", default=True)

    history = HistoricalRecords(m2m_fields=[communes, epcis, epts, departments])
    objects = FacilitatorStructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure facilitatrice"
        verbose_name_plural = "structures facilitatrices"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Facilitator(models.Model):
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    job_title = models.CharField("fonction", max_length=150, default="Facilitateur·rice")
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        related_name="facilitators",
        verbose_name="structure",
    )
    # Empty coverage means the whole coverage of the structure.
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="facilitators", verbose_name="communes suivies"
    )
    epcis = models.ManyToManyField(Epci, blank=True, verbose_name="EPCI suivis")
    epts = models.ManyToManyField(Ept, blank=True, verbose_name="EPT suivis")
    is_active = models.BooleanField("en poste", default=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    history = HistoricalRecords(m2m_fields=[communes, epcis, epts])
    objects = FacilitatorQuerySet.as_manager()

    class Meta:
        verbose_name = "facilitateur·rice"
        verbose_name_plural = "facilitateurs et facilitatrices"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Partner(Contact):
    """An employment or insertion partner of a territory (prescriber or SIAE, GEIQ, EA…)."""

    name = models.CharField("nom", max_length=250)
    kind = models.CharField("type", max_length=20, choices=PartnerKind.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    naf = models.CharField("code NAF", max_length=6, blank=True)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name="commune",
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="partners", verbose_name="département"
    )
    lat = models.FloatField("latitude", null=True, blank=True)
    lon = models.FloatField("longitude", null=True, blank=True)
    source = models.CharField("source", max_length=100, blank=True)

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = "partenaire emploi-insertion"
        verbose_name_plural = "partenaires emploi-insertion"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret", "kind"],
                condition=~models.Q(siret=""),
                name="unique_partner_siret_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name
