"""The provider hours registers with the follow-up (`clauses.followup.impacts`): which
declarations of a participant would count differently if recounted now — the same
`services.recount`, in a dry run. The follow-up calls it inside a savepoint where the
eligibility change is applied, to show it before confirming (#12.2)."""

from clauses.followup.impacts import CountedChange
from clauses.followup.models import Participant
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
