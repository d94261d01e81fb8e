"""Shared reads of markets, composable: `Market.objects.followed_by(structure)`…

The 2026 mandatory social condition (L2112-2-1) is expressed here in SQL from the same
dated table as `rules.check_social_obligation`, so that lists and counts never loop in
Python; `tests/markets/test_obligation.py` checks both agree.
"""

from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from clauses.markets import rules

# Kinds of consideration that are a social execution condition in the sense of L2112-2-1:
# the insertion clause, and the insertion market whose object is the insertion itself [I].
SATISFYING_KINDS = ("execution_condition", "insertion_market")


def _threshold_condition() -> Q:
    """Amount at or above the EU threshold in force on the consultation date."""
    condition = Q(pk__in=[])
    rows = rules.EU_THRESHOLDS
    for index, row in enumerate(rows):
        period = Q(obligation_date__gte=row.valid_from)
        if index + 1 < len(rows):
            period &= Q(obligation_date__lt=rows[index + 1].valid_from)
        works = Q(kind=rules.MarketKind.WORKS, estimated_amount_ht__gte=row.works)
        state = Q(buyer__buyer_category="state")
        others = ~Q(kind=rules.MarketKind.WORKS) & (
            (state & Q(estimated_amount_ht__gte=row.supplies_services_state))
            | (~state & Q(estimated_amount_ht__gte=row.supplies_services))
        )
        condition |= period & (works | others)
    return condition


class MarketQuerySet(models.QuerySet):
    def followed_by(self, structure: object) -> "MarketQuerySet":
        return self.filter(following_structure=structure)

    def of_buyer(self, buyer: object) -> "MarketQuerySet":
        return self.filter(buyer=buyer)

    def with_obligation_date(self, today: date) -> "MarketQuerySet":
        """`obligation_date`: consultation launch, else planned publication, else today (a
        consultation not launched yet is launched today at the earliest)."""
        return self.annotate(
            obligation_date=Coalesce(
                "consultation_launch_date",
                "planned_publication_date",
                Value(today, output_field=models.DateField()),
            )
        )

    def social_condition_mandatory(self, today: date) -> "MarketQuerySet":
        """Markets on which L2112-2-1 imposes a social execution condition."""
        return (
            self.with_obligation_date(today)
            .filter(
                defence_or_security=False,
                estimated_amount_ht__isnull=False,
                obligation_date__gte=rules.MANDATORY_SOCIAL_CONDITION_FROM,
            )
            .filter(_threshold_condition())
        )

    def missing_social_condition(self, today: date) -> "MarketQuerySet":
        """Mandatory markets with no recorded derogation where a lot (or the market, if it
        has no lot) has no social execution condition and no derogation of its own."""
        from clauses.markets.models import Lot, SocialConsideration

        satisfied_lot = SocialConsideration.objects.filter(
            lot=OuterRef("pk"), kind__in=SATISFYING_KINDS
        )
        bare_lots = (
            Lot.objects.filter(market=OuterRef("pk"), derogation_reason="")
            .annotate(satisfied=Exists(satisfied_lot))
            .filter(satisfied=False)
        )
        any_lot = Lot.objects.filter(market=OuterRef("pk"))
        return (
            self.social_condition_mandatory(today)
            .filter(derogation_reason="")
            .filter(Exists(bare_lots) | ~Exists(any_lot))
        )
