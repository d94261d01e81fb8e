"""What a change of eligibility would do to counted hours, asked before it is made.

Counting lives in `clauses.hours`, which sits ABOVE the follow-up: the follow-up may not
import it. So the dependency is inverted, as for the clause publics (`markets.publics`):
hours registers a provider here in its `AppConfig.ready` (`register_counted_hours_preview`),
and the follow-up calls what was registered. The provider answers, for a participant, the
declarations whose counted hours would change if recounted against the validations as they
stand in the database now; the follow-up calls it inside a savepoint where the change is
applied, then rolled back (`services.preview_withdrawal`), so the preview runs the very
code the change will run. Without a provider (hours not installed), nothing would change.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from clauses.followup.models import Participant


@dataclass(frozen=True)
class CountedChange:
    """One declaration whose counted hours would change."""

    market_id: int
    market: str  # « REF — objet »
    lot: str  # « Lot 1 — intitulé »
    month: date
    before: Decimal
    after: Decimal

    @property
    def lost(self) -> Decimal:
        return self.before - self.after


CountedHoursPreview = Callable[[Participant], list[CountedChange]]
_providers: list[CountedHoursPreview] = []


def register_counted_hours_preview(provider: CountedHoursPreview) -> None:
    if provider not in _providers:
        _providers.append(provider)


def counted_hours_changes(participant: Participant) -> list[CountedChange]:
    changes: list[CountedChange] = []
    for provider in _providers:
        changes.extend(provider(participant))
    return sorted(changes, key=lambda c: (c.market, c.lot, c.month))


@dataclass(frozen=True)
class UncountedReason:
    """Validated hours of a person that did not count, for one reason (hours' labels)."""

    label: str
    hours: Decimal
    declarations: int


UncountedHours = Callable[[QuerySet], list[UncountedReason]]
_uncounted: list[UncountedHours] = []


def register_uncounted_hours(provider: UncountedHours) -> None:
    """Hours registers its reading of the hours that did not count, by reason, for some
    assignments (the person's page shows them beside the eligibility warnings, #12.1)."""
    if provider not in _uncounted:
        _uncounted.append(provider)


def uncounted_hours(assignments: QuerySet) -> list[UncountedReason]:
    reasons: list[UncountedReason] = []
    for provider in _uncounted:
        reasons.extend(provider(assignments))
    return reasons
