from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reports, reviews and exports: computed in the database; the hours of closed periods
    read from aggregates rebuilt after imports, controls and nightly (`aggregates`)."""

    name = "clauses.reporting"
    label = "reporting"
    verbose_name = "Bilans"
