from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Tell people what waits for them (#12.9): in the application (bell, page) and by
    email (immediately or in a daily digest). It sits above the apps it listens to: they
    send their own signals (`desk.signals`, `followup.signals`, `hours.signals`), connected
    here."""

    name = "clauses.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from clauses.desk.signals import request_waiting
        from clauses.followup.signals import eligibility_to_decide
        from clauses.hours.signals import declaration_sent_back, declarations_submitted
        from clauses.notifications.receivers import (
            on_declaration_sent_back,
            on_declarations_submitted,
            on_eligibility_to_decide,
            on_request_waiting,
        )

        request_waiting.connect(on_request_waiting, dispatch_uid="notify_request_waiting")
        declarations_submitted.connect(
            on_declarations_submitted, dispatch_uid="notify_declarations_submitted"
        )
        declaration_sent_back.connect(
            on_declaration_sent_back, dispatch_uid="notify_declaration_sent_back"
        )
        eligibility_to_decide.connect(
            on_eligibility_to_decide, dispatch_uid="notify_eligibility_to_decide"
        )
