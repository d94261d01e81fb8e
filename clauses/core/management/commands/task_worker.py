"""The task worker of Clauses: django-tasks-db's `db_worker` under a stable identity, which
first runs again what a killed worker of the same identity left unfinished
(`clauses/core/tasks_recovery.py`)."""

import socket
from argparse import ArgumentParser
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from clauses.core.tasks_recovery import requeue_interrupted


class Command(BaseCommand):
    help = (
        "Exécute les tâches en file (courriels, remontées, anonymisation, imports) sous une "
        "identité stable ; reprend d'abord les tâches qu'un arrêt brutal a interrompues."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--worker-id",
            default=f"{socket.gethostname()}-1"[:64],
            help="identité stable de ce processus (une par processus ; défaut : <hôte>-1)",
        )
        parser.add_argument(
            "--stale-after",
            type=int,
            default=0,
            help="reprendre aussi toute tâche en cours depuis plus de N minutes (0 : jamais)",
        )
        parser.add_argument("--batch", action="store_true", help="s'arrêter quand la file est vide")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="secondes entre deux essais"
        )

    def handle(self, *args: object, **options: object) -> None:
        worker_id = str(options["worker_id"])
        stale = int(options["stale_after"])
        requeued = requeue_interrupted(
            worker_id=worker_id,
            now=timezone.now(),
            stale_after=timedelta(minutes=stale) if stale else None,
        )
        if requeued:
            self.stdout.write(f"{requeued} tâche(s) interrompue(s) remise(s) en file.")
        # Never the autoreloader: it would run the worker in a child process that outlives a
        # killed parent, and restart with tasks in flight.
        worker_options = {
            "worker_id": worker_id,
            "interval": options["interval"],
            "reload": False,
        }
        if options["batch"]:
            worker_options["batch"] = True
        call_command("db_worker", **worker_options)
