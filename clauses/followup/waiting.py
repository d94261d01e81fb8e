"""What waits for someone in the follow-up, told to the layers above through
`signals.py` (the notifications listen: `clauses.notifications.receivers`)."""

from clauses.access.actors import Actor
from clauses.followup.models import Participant
from clauses.followup.signals import eligibility_to_decide


def tell_if_eligibility_undecided(*, actor: Actor, participant: Participant) -> None:
    """A mission starts while the person has no eligibility validation in force (none, or
    all withdrawn): their hours will not count until a facilitator decides (#12.9). Called
    by the services that record a mission, inside their transaction, after the write."""
    if not participant.validations.filter(withdrawn_at__isnull=True).exists():
        eligibility_to_decide.send(sender=Participant, participant=participant, actor=actor)
