"""What the reports do when the hours tell them something (docs/coding-style.md, "Notifications
between layers"): each receiver calls one service of this app and does nothing else."""

from clauses.reporting import services


def refresh_on_declarations(sender, declarations=None, declaration=None, **kwargs) -> None:  # noqa: ANN001, ARG001
    """`hours.signals.declarations_submitted` (a batch declared or imported) and
    `declaration_sent_back` (one refused or sent back): the aggregates of their markets
    are rebuilt in the background once the write commits."""
    services.declarations_changed(
        declarations=declarations if declarations is not None else [declaration]
    )
