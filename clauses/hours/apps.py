from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "clauses.hours"
    label = "hours"
    verbose_name = "Heures d'insertion"
