"""Build the demo data on top of the reference data (never run by the real loaders).

Each app contributes its part through a `demo.py` module with a `seed(stdout)` function,
called in the order of the apps' dependencies. Dates are relative to today.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = [
    "clauses.network.demo",
    "clauses.accounts.demo",
    "clauses.access.demo",
    "clauses.desk.demo",
    "clauses.followup.demo_reset",
    "clauses.markets.demo",
    "clauses.followup.demo",
    "clauses.hours.demo",
]


class Command(BaseCommand):
    help = "Crée les données de démonstration (réseau fictif, comptes de démonstration)."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            for module_name in DEMO_MODULES:
                module = import_module(module_name)
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
