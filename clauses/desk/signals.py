"""What the desk tells the layers above it, which it may not import (tests/architecture).

`request_waiting(sender=Request, desk_request=..., event=...)` is sent explicitly by the
services when a request starts waiting for someone: "filed" and "reassigned" and
"escalated" (for its new target), "buyer_replied" (for the person in charge, else the
target), "answered" (the desk answered: for the buyer agent who filed it, when signed
in). It is sent inside the service's transaction, after the write, so the receivers'
writes (the notifications, `clauses.notifications.receivers`) commit or roll back with it.
No business rule lives in a signal (docs/coding-style.md).
"""

from django.dispatch import Signal

request_waiting = Signal()
