from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "clauses.followup"
    label = "followup"
    verbose_name = "Suivi de l'exécution : participants et éligibilité"
