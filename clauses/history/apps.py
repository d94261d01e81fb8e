from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "clauses.history"
    label = "history"
    verbose_name = "Reprise d'historique"
