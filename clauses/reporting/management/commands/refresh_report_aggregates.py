"""Rebuild the reviews' hours aggregates (`clauses.reporting.aggregates.refresh`) now."""

from django.core.management.base import BaseCommand

from clauses.reporting import aggregates


class Command(BaseCommand):
    help = "Reconstruit les agrégats d'heures des bilans (marché × mois × règle de comptage)."

    def handle(self, *args: object, **options: object) -> None:
        done = aggregates.refresh()
        self.stdout.write(
            f"Agrégats reconstruits : {done.rows} lignes en {done.duration_ms} ms "
            f"(chiffres arrêtés au {done.refreshed_at:%d/%m/%Y %H:%M})."
        )
