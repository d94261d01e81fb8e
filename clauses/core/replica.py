"""Reports may read a PostgreSQL replica (#15, "Beyond one machine").

When `DATABASE_REPLICA_URL` is set, the settings add a `replica` database and this router.
Reads go to the replica only inside `reading_replica()` — which `ReportsOnReplicaMiddleware`
opens around the GET requests of the reports and the observatory (`REPLICA_PATHS`), pages
that read a lot and may show figures a few seconds old. Everything else, and every write,
uses the primary; migrations run on the primary only.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
REPLICA_PATHS = ("/bilans/", "/observatoire/")
_on_replica: ContextVar[bool] = ContextVar("clauses_on_replica", default=False)


@contextmanager
def reading_replica() -> Iterator[None]:
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:  # noqa: ANN401
        return REPLICA if _on_replica.get() else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:  # noqa: ANN401
        return "default"

    def allow_relation(self, obj1: object, obj2: object, **hints: Any) -> bool:  # noqa: ANN401
        return True  # the same data, one being a copy of the other

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:  # noqa: ANN401
        return db != REPLICA


class ReportsOnReplicaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and request.path.startswith(REPLICA_PATHS):
            with reading_replica():
                return self.get_response(request)
        return self.get_response(request)
