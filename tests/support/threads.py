"""Concurrent calls for the race tests (PostgreSQL: SQLite serialises every writer)."""

import threading
from collections.abc import Callable

from django.db import connections


def at_once(calls: list[Callable[[], object]], *, timeout: float = 120) -> list[object]:
    """Run the calls in threads released together by a barrier; each call's result or the
    exception it raised, in order. Each thread closes its own database connections."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 — the test looks at what came back
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
