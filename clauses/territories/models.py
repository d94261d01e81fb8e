"""Territories (region, département, EPCI, EPT, commune, postcode) and nomenclatures (CPV, NAF).

Rows come from the loaders in `management/commands/` reading `data/`, never from migrations.
Codes are the official ones (INSEE, SIREN, CPV, NAF) and serve as natural keys.
"""

from django.db import models

from clauses.territories.enums import CommuneKind, EpciKind, MarketKind, NafLevel
from clauses.territories.querysets import CommuneQuerySet, CpvCodeQuerySet


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    prefecture_code = models.CharField("code INSEE du chef-lieu", max_length=5, blank=True)
    prefecture_name = models.CharField("chef-lieu", max_length=100, blank=True)
    population = models.PositiveIntegerField("population municipale", default=0)
    lat = models.FloatField("latitude", null=True, blank=True)
    lon = models.FloatField("longitude", null=True, blank=True)
    # GeoJSON geometry (EPSG:4326, simplified): good for a map, not for street-level decisions.
    geometry = models.JSONField("contour", null=True, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """EPCI à fiscalité propre (métropole, communauté urbaine, d'agglomération, de communes)."""

    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=5, choices=EpciKind.choices)
    population = models.PositiveIntegerField("population municipale", default=0)
    member_count = models.PositiveIntegerField("nombre de communes membres", default=0)
    department_codes = models.CharField(
        "départements", max_length=60, blank=True, help_text="Codes séparés par « | »."
    )

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ept(models.Model):
    """Établissement public territorial of the Grand Paris (11 in all)."""

    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    population = models.PositiveIntegerField("population municipale", default=0)
    department_codes = models.CharField("départements", max_length=60, blank=True)
    geometry = models.JSONField("contour", null=True, blank=True)

    class Meta:
        verbose_name = "EPT"
        verbose_name_plural = "EPT"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune, or one of the 20 Paris arrondissements (attached to commune 75056)."""

    insee = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=200)
    # Lower-case ASCII form used by the search (see territories/search.py).
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(
        "type", max_length=20, choices=CommuneKind.choices, default=CommuneKind.COMMUNE
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrondissements",
        verbose_name="commune de rattachement",
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="communes"
    )
    ept = models.ForeignKey(
        Ept, on_delete=models.PROTECT, null=True, blank=True, related_name="communes"
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    population = models.PositiveIntegerField("population municipale", default=0)
    postcodes = models.CharField(
        "codes postaux", max_length=200, blank=True, help_text="Codes séparés par « | »."
    )
    lat = models.FloatField("latitude", null=True, blank=True)
    lon = models.FloatField("longitude", null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [models.Index(fields=["-population"], name="commune_population_idx")]

    def __str__(self) -> str:
        # The département code starts the INSEE code (three digits overseas): no query.
        return f"{self.name} ({self.insee[:3] if self.insee.startswith('97') else self.insee[:2]})"

    @property
    def postcode_list(self) -> list[str]:
        return [code for code in self.postcodes.split("|") if code]

    @property
    def is_arrondissement(self) -> bool:
        return self.kind == CommuneKind.MUNICIPAL_ARRONDISSEMENT


class CommuneShape(models.Model):
    """A commune's contour, kept apart so that lists never load 1 MB of coordinates."""

    commune = models.OneToOneField(Commune, on_delete=models.CASCADE, related_name="shape")
    geometry = models.JSONField("contour")

    class Meta:
        verbose_name = "contour de commune"
        verbose_name_plural = "contours de communes"

    def __str__(self) -> str:
        return f"Contour de {self.commune}"


class PostalCode(models.Model):
    """One (postcode, commune) pair of La Poste's base; a postcode can cover several communes."""

    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_codes")

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        constraints = [
            models.UniqueConstraint(fields=["code", "commune"], name="unique_postcode_commune")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.commune.name}"


class CpvCode(models.Model):
    """Common Procurement Vocabulary 2008 (Regulation (EC) No 213/2008)."""

    code8 = models.CharField("code", max_length=8, unique=True)
    code = models.CharField("code avec chiffre de contrôle", max_length=10, unique=True)
    label = models.CharField("libellé", max_length=400)
    label_en = models.CharField("libellé anglais", max_length=400, blank=True)
    level = models.PositiveSmallIntegerField("niveau")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    division = models.CharField("division", max_length=2, db_index=True)
    market_kind = models.CharField("type de marché", max_length=10, choices=MarketKind.choices)
    search_label = models.CharField(max_length=400, editable=False)

    objects = CpvCodeQuerySet.as_manager()

    class Meta:
        verbose_name = "code CPV"
        verbose_name_plural = "codes CPV"
        ordering = ["code8"]

    def __str__(self) -> str:
        return f"{self.code8} {self.label}"


class NafCode(models.Model):
    """NAF rév. 2 (INSEE, 2008), every level; sub-classes in SIRENE format (e.g. 81.21Z)."""

    code = models.CharField("code", max_length=6, unique=True)
    level = models.CharField("niveau", max_length=12, choices=NafLevel.choices)
    label = models.CharField("libellé", max_length=300)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = "code NAF"
        verbose_name_plural = "codes NAF"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Qpv(models.Model):
    """Quartier prioritaire de la politique de la ville (géographie 2024).

    No open list is shipped offline: the table is loaded by `load_qpv` from the official CSV
    when a territory provides it. About 150 QPV straddle several communes.
    """

    code = models.CharField("code", max_length=10, unique=True)
    name = models.CharField("nom", max_length=200)
    communes = models.ManyToManyField(Commune, related_name="qpvs", verbose_name="communes")

    class Meta:
        verbose_name = "QPV"
        verbose_name_plural = "QPV"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
