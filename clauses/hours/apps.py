from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "clauses.hours"
    label = "hours"
    verbose_name = "Heures d'insertion"

    def ready(self) -> None:
        from clauses.followup.signals import eligibility_changed
        from clauses.hours.receivers import recount_on_eligibility_change

        eligibility_changed.connect(
            recount_on_eligibility_change, dispatch_uid="hours_recount_on_eligibility"
        )
