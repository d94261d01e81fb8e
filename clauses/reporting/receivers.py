"""What the reports do when the hours tell them something (docs/coding-style.md, "Notifications
between layers"): each receiver calls one service of this app and does nothing else."""

from clauses.reporting import services


def refresh_on_declarations(  # noqa: ANN201
    sender,
    declarations=None,
    summary=None,
    declaration=None,
    **kwargs,  # noqa: ANN001, ARG001
):
    """`hours.signals.declarations_submitted` (a batch declared or imported) and
    `declarations_controlled` (a control batch): the aggregates of their markets are rebuilt
    in the background once the write commits. The batch's `summary` (market, employer,
    month, kind) is read when sent — an import's declarations are not built one by one."""
    if summary is not None:
        services.markets_changed(
            markets=[key[0] for key in summary], months=[key[2] for key in summary]
        )
    else:
        services.declarations_changed(
            declarations=declarations if declarations is not None else [declaration]
        )
