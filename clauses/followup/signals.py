"""Notifications the follow-up sends to the layers above it, which it may not import.

`eligibility_to_decide(sender=Participant, participant=..., actor=...)` is sent when a
person starts a mission (an assignment recorded, by the company, a facilitator or a hire)
while no eligibility validation of theirs is in force: their hours will not count until a
facilitator of their structure decides (`clauses.notifications.receivers` tells them). Sent
inside the service's transaction, after the write, like the signal below.

`eligibility_changed(sender=Participant, participant=...)` is sent explicitly by the
services that change what makes a participant's hours countable: an eligibility validation
given or withdrawn, an assignment created (it starts the validity of the validations).
It is sent inside the service's transaction, after the write: the receivers' writes (the
hours recount) commit or roll back with it, so counted hours never disagree with the
validations in force, and tests see the effect without capturing on-commit callbacks.
Receivers (`clauses.hours`, connected in its `AppConfig.ready`) only call their own
service; no business rule lives in a signal (docs/coding-style.md).
"""

from django.dispatch import Signal

eligibility_changed = Signal()
eligibility_to_decide = Signal()
