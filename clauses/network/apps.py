from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "clauses.network"
    label = "network"
    verbose_name = "Réseau des facilitateurs"
