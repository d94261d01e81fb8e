from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "clauses.hours"
    label = "hours"
    verbose_name = "Heures d'insertion"

    def ready(self) -> None:
        from clauses.followup.impacts import (
            register_counted_hours_preview,
            register_uncounted_hours,
        )
        from clauses.followup.signals import eligibility_changed
        from clauses.hours.eligibility_preview import counted_hours_preview, uncounted_hours
        from clauses.hours.receivers import recount_on_eligibility_change

        register_counted_hours_preview(counted_hours_preview)
        register_uncounted_hours(uncounted_hours)

        eligibility_changed.connect(
            recount_on_eligibility_change, dispatch_uid="hours_recount_on_eligibility"
        )
