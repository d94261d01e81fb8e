from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reports, reviews and exports: read-only, computed in the database, never stored."""

    name = "clauses.reporting"
    label = "reporting"
    verbose_name = "Bilans"
