"""Build the demo data on top of the reference data (never run by the real loaders).

Each app contributes its part through a `demo.py` module with a `seed(*, stdout)` function.
`DEMO_SEEDS` below is the ONE place where they are called, in the order of the apps'
dependencies: a new app adds its demo as one line here. Dates are relative to today.
"""

from collections.abc import Callable
from typing import TextIO

from django.core.management.base import BaseCommand
from django.db import transaction

from clauses.access import demo as access_demo
from clauses.accounts import demo as accounts_demo
from clauses.desk import demo as desk_demo
from clauses.followup import demo as followup_demo
from clauses.followup import demo_reset as followup_demo_reset
from clauses.history import demo as history_demo
from clauses.hours import demo as hours_demo
from clauses.markets import demo as markets_demo
from clauses.network import demo as network_demo
from clauses.notifications import demo as notifications_demo
from clauses.observatory import demo as observatory_demo
from clauses.programme import demo as programme_demo
from clauses.reporting import demo as reporting_demo

DEMO_SEEDS: list[Callable[..., None]] = [
    network_demo.seed,
    accounts_demo.seed,
    access_demo.seed,
    desk_demo.seed,
    followup_demo_reset.seed,  # demo assignments protect their lot: cleared before the markets
    markets_demo.seed,
    followup_demo.seed,
    hours_demo.seed,
    followup_demo.seed_eligibility_cases,  # after hours: withdrawal and late eligibility
    history_demo.seed,  # the demo facilitator's imported history (first sample export)
    reporting_demo.seed,  # the hours aggregates, once every declaration exists
    programme_demo.seed,
    observatory_demo.seed,
    notifications_demo.seed,  # after the apps whose services notify
]


def seed_all(*, stdout: TextIO) -> None:
    """Every app's demo, in order, in one transaction."""
    with transaction.atomic():
        for seed in DEMO_SEEDS:
            seed(stdout=stdout)


class Command(BaseCommand):
    help = "Crée les données de démonstration (réseau fictif, comptes de démonstration)."

    def handle(self, *args: object, **options: object) -> None:
        seed_all(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
