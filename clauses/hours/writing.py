"""Writing new declarations in bulk, once every entry is checked (#15).

`services.save_entries` locks the people named, checks every entry, then hands the new
declarations here as plain rows (one tuple per declaration, `COLUMNS` order):

- PostgreSQL: the primary keys are reserved from the table's sequence in one query, then
  the rows go through `COPY … FROM STDIN` (psycopg 3), in the service's transaction: the
  same constraints, triggers and indexes as an `INSERT`, the all-or-nothing of the
  transaction, without building a model instance or an SQL literal per row (the import
  of 100,000 rows spent most of its time there: docs/performance.md, "The import's write
  path").
- other databases (SQLite: the demo, the default tests): `bulk_create`, the portable path.
  Both write the same rows (tests/hours/test_bulk_write.py).

The written declarations come back as `Declarations`, a sequence in the entries' order
that builds a model instance only when one is read: the import page shows counts, the
signal carries a summary, so a 100,000-row file builds none.
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any, overload

from django.db import connection
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from clauses.hours.models import HourDeclaration

BULK_SIZE = 1000
# Every concrete column but the primary key, in the order of the rows given to `insert`.
COLUMNS: tuple[str, ...] = tuple(
    f.attname for f in HourDeclaration._meta.concrete_fields if not f.primary_key
)
INDEX = {name: i for i, name in enumerate(COLUMNS)}
_JSON_COLUMNS = frozenset(
    INDEX[f.attname]
    for f in HourDeclaration._meta.concrete_fields
    if f.get_internal_type() == "JSONField"
)

Row = tuple[Any, ...]


def row(values: dict[str, Any]) -> Row:
    """A row in `COLUMNS` order from a dict naming every column (a missing one is an
    error: no default is guessed here)."""
    return tuple(values[name] for name in COLUMNS)


def insert(rows: Sequence[Row], *, portable: bool = False) -> list[int]:
    """Write the rows, return their primary keys in the same order (`portable`: the
    `bulk_create` path whatever the database, for the tests that compare both)."""
    if not rows:
        return []
    if connection.vendor == "postgresql" and not portable:
        return _copy(rows)
    declarations = [HourDeclaration(**dict(zip(COLUMNS, r, strict=True))) for r in rows]
    HourDeclaration.objects.bulk_create(declarations, batch_size=BULK_SIZE)
    return [d.pk for d in declarations]


def _copy(rows: Sequence[Row]) -> list[int]:
    table = connection.ops.quote_name(HourDeclaration._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ("id", *COLUMNS))
    # psycopg's own errors become Django's (an IntegrityError is retried by the service).
    with connection.wrap_database_errors, connection.cursor() as cursor:
        # nextval() of a sequence is never rolled back nor shared: these numbers are ours
        # even if another writer inserts at the same moment.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [HourDeclaration._meta.db_table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        # JSON values are dumped once per distinct object (new declarations share one).
        dumped: dict[int, str] = {}
        (j,) = _JSON_COLUMNS  # counting_detail
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, values in zip(ids, rows, strict=True):
                value = values[j]
                text = dumped.get(id(value))
                if text is None:
                    text = dumped[id(value)] = json.dumps(value)
                copy.write_row((pk, *values[:j], text, *values[j + 1 :]))
    return ids


_ATTNAMES = ("id", *COLUMNS)


def build(pk: int, values: Row) -> HourDeclaration:
    """The model instance of a written row, as if read from the database. Without the
    model's `__init__` (3× faster; its only effects are the init signals, which no one
    listens to for declarations — if someone does, `__init__` runs as usual)."""
    if pre_init.has_listeners(HourDeclaration) or post_init.has_listeners(HourDeclaration):
        declaration = HourDeclaration(pk, *values)
    else:
        declaration = HourDeclaration.__new__(HourDeclaration)
        declaration.__dict__.update(zip(_ATTNAMES, (pk, *values), strict=True))
        declaration._state = ModelState()
    declaration._state.adding = False
    declaration._state.db = connection.alias
    return declaration


Slot = HourDeclaration | tuple[int, Row]


class Declarations(Sequence[HourDeclaration]):
    """Declarations in a write's order: instances already at hand (corrections, unchanged)
    and written rows, built into instances on first read."""

    def __init__(self, slots: list[Slot] | None = None) -> None:
        self._slots: list[Slot] = slots if slots is not None else []

    def append(self, item: Slot) -> None:
        self._slots.append(item)

    def subset(self, positions: Sequence[int]) -> "Declarations":
        return Declarations([self._slots[i] for i in positions])

    def ids(self) -> list[int]:
        return [s.pk if isinstance(s, HourDeclaration) else s[0] for s in self._slots]

    def __len__(self) -> int:
        return len(self._slots)

    @overload
    def __getitem__(self, index: int) -> HourDeclaration: ...

    @overload
    def __getitem__(self, index: slice) -> list[HourDeclaration]: ...

    def __getitem__(self, index: int | slice) -> HourDeclaration | list[HourDeclaration]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        slot = self._slots[index]
        if isinstance(slot, HourDeclaration):
            return slot
        declaration = build(*slot)
        self._slots[index] = declaration
        return declaration

    def __iter__(self) -> Iterator[HourDeclaration]:
        for i in range(len(self._slots)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Declarations | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
