"""Aggregates of the reviews (#15): the hours of the declarations summed by market × month ×
counting rule, rebuilt by `aggregates.refresh` (a django-tasks task after imports and
controls, nightly, and `manage.py refresh_report_aggregates`).

Why market × month and not territory × month: every scope of a review (a buyer, a
structure, a coordination, a département by its execution communes, a region, the nation)
is a set of markets, and a market may run in several départements; summing this table over
the scope's markets gives exactly the live figures for any scope, in one small query,
without reading the declarations (tests/reporting/test_aggregates.py proves the agreement).
"""

from django.db import models


class MarketMonthHours(models.Model):
    """Hours of one market's declarations for one month and one counting rule."""

    market = models.ForeignKey(
        "markets.Market", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField("mois")
    counting_rule = models.CharField("règle de comptage", max_length=40, blank=True)
    declared = models.DecimalField("heures déclarées", max_digits=14, decimal_places=2)
    validated = models.DecimalField("heures validées", max_digits=14, decimal_places=2)
    counted = models.DecimalField("heures comptées", max_digits=14, decimal_places=2)
    uncounted = models.DecimalField("heures validées non comptées", max_digits=14, decimal_places=2)
    uncounted_declarations = models.PositiveIntegerField("déclarations non comptées en partie")

    class Meta:
        verbose_name = "heures d'un marché par mois (agrégat)"
        verbose_name_plural = "heures des marchés par mois (agrégats)"
        indexes = [models.Index(fields=["market", "month"], name="reporting_mmh_market_month")]

    def __str__(self) -> str:
        return f"{self.market_id} {self.month:%m/%Y} {self.counting_rule}"


class AggregatesRefresh(models.Model):
    """One row per rebuild: the latest says « chiffres arrêtés au … »."""

    refreshed_at = models.DateTimeField("arrêtés au", db_index=True)
    rows = models.PositiveIntegerField("lignes")
    duration_ms = models.PositiveIntegerField("durée (ms)")

    class Meta:
        verbose_name = "mise à jour des agrégats"
        verbose_name_plural = "mises à jour des agrégats"

    def __str__(self) -> str:
        return f"{self.refreshed_at:%d/%m/%Y %H:%M}"


class ReviewSnapshot(models.Model):
    """The figures of a closed period's report, computed once and kept (#15): a review or
    a clause report of one scope as one reader's visibility draws it, for one period, from
    one rebuild of the aggregates (`refreshed_at`, « chiffres arrêtés au … »).

    `key` is a digest of the scope's kind and key, the period, and the SQL of the scope's
    markets and requests as the reader's policies built them — two readers share a
    snapshot only when their policies give them the very same rows to count. Snapshots
    older than the last rebuild are not read, and deleted by the next rebuild."""

    key = models.CharField("empreinte", max_length=64, unique=True)
    kind = models.CharField("type", max_length=20)
    scope_key = models.CharField("périmètre", max_length=40)
    start = models.DateField("début")
    end = models.DateField("fin")
    refreshed_at = models.DateTimeField("agrégats du")
    computed_at = models.DateTimeField("calculé le")
    duration_ms = models.PositiveIntegerField("durée du calcul (ms)")
    figures = models.JSONField("chiffres")

    class Meta:
        verbose_name = "bilan arrêté"
        verbose_name_plural = "bilans arrêtés"

    def __str__(self) -> str:
        return f"{self.kind} {self.scope_key} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class MarketTerritory(models.Model):
    """Where a market runs, one row per territory (`level` "department" or "region" and its
    code) holding at least one of its execution communes: the territorial scopes of the
    reviews as the policies draw them (`execution_communes__department`), materialised by
    the rebuild for the per-territory figures (`TerritoryYear`)."""

    market = models.ForeignKey(
        "markets.Market", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    level = models.CharField("niveau", max_length=10)
    code = models.CharField("code", max_length=10)

    class Meta:
        verbose_name = "territoire d'exécution d'un marché (agrégat)"
        verbose_name_plural = "territoires d'exécution des marchés (agrégats)"
        indexes = [models.Index(fields=["level", "code"], name="reporting_mt_level_code")]

    def __str__(self) -> str:
        return f"{self.market_id} {self.level} {self.code}"


class TerritoryYear(models.Model):
    """The figures of a territory's review for one closed calendar year (hours, people,
    contracts, outcomes, markets and clauses: `territories.FAMILIES`), computed for every
    département and region at once by grouped queries at each rebuild: the distinct
    counts of people that monthly sums cannot give, stored per territory × year."""

    level = models.CharField("niveau", max_length=10)
    code = models.CharField("code", max_length=10)
    year = models.PositiveSmallIntegerField("année")
    refreshed_at = models.DateTimeField("agrégats du")
    figures = models.JSONField("chiffres")

    class Meta:
        verbose_name = "chiffres d'un territoire pour une année (agrégat)"
        verbose_name_plural = "chiffres des territoires par année (agrégats)"
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "year"], name="reporting_territory_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.code} {self.year}"
