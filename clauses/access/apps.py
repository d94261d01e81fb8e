from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "clauses.access"
    label = "access"
    verbose_name = "Accès, jetons d'API et journal d'audit"
