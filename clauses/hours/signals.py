"""What the hours tell the layers above them, which they may not import (tests/architecture).

Sent explicitly, inside the service's transaction after the write, from the ONE place of
each event in `services.py`, ONCE per write whatever its size (a form, an API call, a
100,000-row file, a control of several declarations at once):

- `declarations_submitted(sender=HourDeclaration, declarations=..., actor=..., summary=...,
  batch=...)`: declarations (new or corrected) wait for control by the facilitators of
  their market;
- `declarations_controlled(sender=HourDeclaration, declarations=[...], actor=...,
  summary=...)`: a control batch was written (validated, refused, fix asked): the counted
  hours of these declarations may have changed;
- `declaration_sent_back(sender=HourDeclaration, declaration=..., actor=...)`: a
  declaration was refused or a fix asked, with its reason: the company's contacts are told
  (one per declaration: each has its own reason).

`summary` is what a receiver should read (#15): a dict {(market id, employer id, month,
kind): number of declarations}, kind being "created" / "corrected" (submitted) or the
control decision ("validate", "reject", "request_fix"); it is counted without a query.
`declarations` is a sequence of `HourDeclaration`; for an import (`batch` is its
`ImportBatch`) its instances are built one by one when read, which for 100,000 rows costs
seconds inside the import's transaction: read `summary` instead (markets, employers,
months) — `declarations.ids()` gives the primary keys without building anything.

Receivers: `clauses.notifications.receivers` and `clauses.reporting.receivers`
(tests/architecture/test_layers.py lists them). No business rule lives in a signal.
"""

from django.dispatch import Signal

declarations_submitted = Signal()
declarations_controlled = Signal()
declaration_sent_back = Signal()
