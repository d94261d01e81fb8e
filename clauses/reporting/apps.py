from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reports, reviews and exports: computed in the database; closed periods read from
    aggregates rebuilt after each batch of declarations (`hours.signals`, received here)
    and nightly (`aggregates`), and kept once computed (`snapshots`)."""

    name = "clauses.reporting"
    label = "reporting"
    verbose_name = "Bilans"

    def ready(self) -> None:
        from clauses.hours.signals import declarations_controlled, declarations_submitted
        from clauses.reporting.receivers import refresh_on_declarations

        declarations_submitted.connect(
            refresh_on_declarations, dispatch_uid="reporting_refresh_on_declarations"
        )
        # One signal per control batch (validations included), not one per refusal (#15).
        declarations_controlled.connect(
            refresh_on_declarations, dispatch_uid="reporting_refresh_on_declarations_controlled"
        )
