from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "clauses.desk"
    label = "desk"
    verbose_name = "Guichet Régional des Clauses Sociales"
