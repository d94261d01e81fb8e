"""The reports' demo: the hours aggregates built once the demo's declarations exist, so that
a closed year's review reads « chiffres arrêtés au … » (the current year stays live)."""

from typing import TextIO

from clauses.reporting import aggregates


def seed(*, stdout: TextIO) -> None:
    done = aggregates.refresh()
    stdout.write(f"Bilans : agrégats d'heures construits ({done.rows} lignes).\n")
