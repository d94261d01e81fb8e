"""What hours does when the follow-up notifies it (`clauses.followup.signals`): the
follow-up sits below hours and may not call it, so it sends `eligibility_changed` and this
receiver calls the hours service. A notification between layers, not logic in a signal."""

from clauses.followup.models import Participant
from clauses.hours import services


def recount_on_eligibility_change(sender: object, *, participant: Participant, **_: object) -> None:
    services.recount_participant(participant)
