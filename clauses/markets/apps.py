from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "clauses.markets"
    label = "markets"
    verbose_name = "Marchés et clauses sociales"
