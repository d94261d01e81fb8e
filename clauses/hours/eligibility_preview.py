"""The provider hours registers with the follow-up (`clauses.followup.impacts`): which
declarations of a participant would count differently if recounted now — the same
`services.recount`, in a dry run. The follow-up calls it inside a savepoint where the
eligibility change is applied, to show it before confirming (#12.2)."""

from django.db.models import Count, F, QuerySet, Sum

from clauses.followup.impacts import CountedChange, UncountedReason
from clauses.followup.models import Participant
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import HourDeclaration


def counted_hours_preview(participant: Participant) -> list[CountedChange]:
    from clauses.hours import services

    changes: list = []
    services.recount(
        HourDeclaration.objects.filter(assignment__participant=participant),
        wet_run=False,
        changes=changes,
    )
    return [
        CountedChange(
            market_id=declaration.assignment.lot.market_id,
            market=str(declaration.assignment.lot.market),
            lot=str(declaration.assignment.lot),
            month=declaration.month,
            before=before,
            after=declaration.counted_hours,
        )
        for declaration, before in changes
    ]


def uncounted_hours(assignments: QuerySet) -> list[UncountedReason]:
    """Validated hours of these assignments that did not count, by reason, with the labels
    of `selectors.Uncounted` (the same as the clause pages and exports). One query."""
    from clauses.hours.selectors import Uncounted, _summed

    rows = (
        HourDeclaration.objects.filter(
            assignment__in=assignments,
            status=DeclarationStatus.VALIDATED,
            counted_hours__lt=F("base_hours"),
        )
        .order_by()
        .values("counting_rule")
        .annotate(hours=Sum(F("base_hours") - F("counted_hours")), count=Count("pk"))
    )
    items = [Uncounted(row["counting_rule"], row["hours"], row["count"]) for row in rows]
    return [UncountedReason(item.label, item.hours, item.declarations) for item in _summed([items])]
