"""What the hours tell the layers above them, which they may not import (tests/architecture).

Sent explicitly, inside the service's transaction after the write, from the ONE place of
each event in `services.py`:

- `declarations_submitted(sender=HourDeclaration, declarations=[...], actor=...)`:
  declarations (new or corrected) wait for control by the facilitators of their market;
- `declaration_sent_back(sender=HourDeclaration, declaration=..., actor=...)`: a
  declaration was refused or a fix asked, with its reason: the company's contacts are told.

Receivers: `clauses.notifications.receivers`. No business rule lives in a signal.
"""

from django.dispatch import Signal

declarations_submitted = Signal()
declaration_sent_back = Signal()
