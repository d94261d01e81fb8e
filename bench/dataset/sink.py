# ruff: noqa: S608 — SQL from model metadata
"""Writing the dataset: rows buffered per model and written in bulk (COPY on PostgreSQL)."""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models


class Sink:
    """Rows buffered per model and written in chunks, parents before children (the caller
    flushes in that order). PostgreSQL: COPY on a dedicated connection from a thread."""

    CHUNK = 50_000

    def __init__(self, progress: Progress, *, use_copy: bool) -> None:
        self.progress = progress
        self.buffers: dict[type[models.Model], list[tuple]] = defaultdict(list)
        self.columns: dict[type[models.Model], list[models.Field]] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.use_copy = use_copy and connection.vendor == "postgresql"
        self.fk_checks_off = False
        self.waited = 0.0  # seconds the generator waited for the database
        if self.use_copy:
            import psycopg

            params = connection.get_connection_params()
            for name in ("cursor_factory", "context", "server_side_binding", "pool"):
                params.pop(name, None)
            self.pg = psycopg.connect(**{k: v for k, v in params.items() if v is not None})
            self.pg.autocommit = True
            with self.pg.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
                try:
                    cursor.execute("SET session_replication_role = replica")
                    self.fk_checks_off = True
                except psycopg.Error:
                    pass
            self.queue: queue.Queue = queue.Queue(maxsize=4)
            self.error: BaseException | None = None
            self.thread = threading.Thread(target=self._copy_worker, daemon=True)
            self.thread.start()

    # Columns: every concrete field; values given by name, the rest from the field default.
    def _fields(self, model: type[models.Model]) -> list[models.Field]:
        if model not in self.columns:
            self.columns[model] = [f for f in model._meta.concrete_fields]
        return self.columns[model]

    def defaults(self, model: type[models.Model], given: tuple[str, ...]) -> list[Any]:
        """The value of each column not in `given`, from the model (error if required)."""
        values = []
        for f in self._fields(model):
            if f.attname in given:
                values.append(None)
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            values.append(value)
        return values

    def table(self, model: type[models.Model], names: tuple[str, ...]) -> Table:
        return Table(self, model, names)

    def add(self, model: type[models.Model], row: tuple) -> None:
        buffer = self.buffers[model]
        buffer.append(row)
        if len(buffer) >= self.CHUNK:
            self.flush(model)

    def flush(self, model: type[models.Model] | None = None) -> None:
        models_ = [model] if model is not None else list(self.buffers)
        for m in models_:
            rows = self.buffers.get(m)
            if not rows:
                continue
            self.buffers[m] = []
            self.counts[m._meta.label] += len(rows)
            columns = [f.column for f in self._fields(m)]
            if self.use_copy:
                if self.error:
                    raise self.error
                waited = time.monotonic()
                self.queue.put((m._meta.db_table, columns, rows))
                self.waited += time.monotonic() - waited
            else:
                rows = [tuple(map(self._sqlite_value, row)) for row in rows]
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {m._meta.db_table} ({quoted}) VALUES ({marks})"
                with connection.cursor() as cursor:
                    for start in range(0, len(rows), 5000):
                        cursor.executemany(sql, rows[start : start + 5000])

    @staticmethod
    def _sqlite_value(value: Any) -> Any:
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    def _copy_worker(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                table, columns, rows = item
                cols = ", ".join(f'"{c}"' for c in columns)
                with self.pg.cursor() as cursor:
                    with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            except BaseException as exc:  # noqa: BLE001 — re-raised in the main thread
                self.error = exc
            finally:
                self.queue.task_done()

    def close(self) -> None:
        self.flush()
        if self.use_copy:
            self.queue.join()
            self.queue.put(None)
            self.thread.join()
            if self.error:
                raise self.error
            with self.pg.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
            self.pg.close()


class Table:
    """Rows of one model given as a few named values; other columns take their defaults."""

    def __init__(self, sink: Sink, model: type[models.Model], names: tuple[str, ...]) -> None:
        self.sink, self.model = sink, model
        fields = sink._fields(model)
        attnames = [f.attname for f in fields]
        unknown = set(names) - set(attnames)
        if unknown:
            raise ValueError(f"{model.__name__}: unknown columns {sorted(unknown)}")
        self.template = sink.defaults(model, names)
        self.slots = [attnames.index(n) for n in names]
        self.simple = list(names) == attnames

    def add(self, *values: Any) -> None:
        if self.simple:
            self.sink.add(self.model, values)
            return
        row = list(self.template)
        for slot, value in zip(self.slots, values, strict=True):
            row[slot] = value
        self.sink.add(self.model, tuple(row))


class Progress:
    """Plain lines on stderr: step, rows so far, elapsed seconds."""

    def __init__(self, stream: Any = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.monotonic() - self.start
            self.stream.write(f"[{elapsed:7.1f} s] {message}\n")
            self.stream.flush()


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


class Ids:
    def __init__(self, model: type[models.Model]) -> None:
        self.next = _next_id(model)

    def __call__(self) -> int:
        value = self.next
        self.next += 1
        return value
