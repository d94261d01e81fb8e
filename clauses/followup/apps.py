from datetime import date

from django.apps import AppConfig


def territory_clause_publics(department_code: str | None, on: date) -> list[str] | None:
    """The clause publics of a territory's eligibility referential in force on `on` (the
    default publics of a new clause, #12.6); None when the territory has none loaded, so that
    markets falls back to the national list. Registered with markets at start-up: markets
    sits below followup and never imports it."""
    from clauses.followup.enums import CriterionGroup
    from clauses.followup.selectors import criteria_in_force
    from clauses.territories.models import Department

    department = Department.objects.filter(code=department_code).first()
    rows = criteria_in_force(department, on)
    codes = [code for code, row in rows.items() if row.group == CriterionGroup.CLAUSE_PUBLIC]
    return codes or None


class FollowupConfig(AppConfig):
    name = "clauses.followup"
    label = "followup"
    verbose_name = "Suivi de l'exécution : participants et éligibilité"

    def ready(self) -> None:
        from clauses.markets.publics import register_territory_publics

        register_territory_publics(territory_clause_publics)
