from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "clauses.programme"
    label = "programme"
    verbose_name = "Revue de programmation achat"
