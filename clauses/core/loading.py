"""Shared machinery of the reference-data loaders (`load_territories`, `load_cpv`, …).

A loader reads a file into a list of plain dicts, one per row, keyed by model field names,
and hands it to `sync_table`, which compares it with the table by natural key and reports
what it would add, change and remove. Nothing is written unless `wet_run` is true.

Foreign keys are given by the *natural key* of the target, never by database id, through
`references`:

    sync_table(
        Commune,
        "insee",
        [{"insee": "75101", "name": "Paris 1er", "department": "75", "parent": "75056"}, …],
        references={"department": "code", "parent": "insee"},
        wet_run=wet_run,
        stdout=self.stdout,
    )

so the comparison is exact even in a dry run on an empty database (the existing rows are
read with `values("department__code", …)`). A self-reference (`parent` above) is set in a
second step, once every row exists, so rows can come in any order.

A loader command subclasses `ReferenceLoaderCommand` and implements `load()`: it gets the
`--wet-run` flag, one transaction around the whole load (all or nothing), and the French
report (per-table diff, "Aucun changement.", final counts). Read and check every file before
the first `sync_table`, and raise `LoadError` (French, with file, line and column) on bad
input; `read_csv` and `read_geojson_features` help. Examples: territories' `load_territories`
(several tables, foreign keys), `load_qpv` (a many-to-many through table, row validation).
"""

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import models, transaction

from clauses.core.pagecache import bump_network_version

Key = tuple[Any, ...]


class LoadError(CommandError):
    """Bad input data: the message is in French and says where (file, line, column)."""


@dataclass
class Diff:
    """What a sync did (or would do) to one table; keys are natural keys, as strings."""

    table: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Rows in the table after the sync (projected in a dry run).
    final_count: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One French line, e.g. « communes : 3 ajout(s), 1 modification(s), … — 1286 au total »."""
        return (
            f"{self.table} : {len(self.added)} ajout(s), {len(self.changed)} modification(s), "
            f"{len(self.removed)} suppression(s), {self.unchanged} inchangé(s) "
            f"— {self.final_count} au total"
        )

    def details(self, limit: int = 10) -> list[str]:
        """A few keys of each kind of change, for verbosity ≥ 2."""
        lines = []
        for label, keys in (
            ("ajout", self.added),
            ("modification", self.changed),
            ("suppression", self.removed),
        ):
            if keys:
                shown = ", ".join(keys[:limit])
                more = f" (+{len(keys) - limit})" if len(keys) > limit else ""
                lines.append(f"  {label} : {shown}{more}")
        return lines


def read_csv(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file as dicts (values stripped); every column in `columns`
    must be in the header, otherwise `LoadError` names the missing ones."""
    if not path.exists():
        raise LoadError(f"Fichier introuvable : {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in columns if name not in (reader.fieldnames or [])]
        if missing:
            raise LoadError(f"{path.name} : colonne(s) manquante(s) : {', '.join(missing)}.")
        return [
            {name: (value or "").strip() for name, value in row.items() if name is not None}
            for row in reader
        ]


def read_geojson_features(path: Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection."""
    if not path.exists():
        raise LoadError(f"Fichier introuvable : {path}")
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)["features"]


def _display(key: Key) -> str:
    return "|".join("" if part is None else str(part) for part in key)


def _pk_map(model: type[models.Model], natural: str) -> dict[Any, Any]:
    return dict(model._default_manager.values_list(natural, "pk"))


def sync_table(
    model: type[models.Model],
    key_field: str | Sequence[str],
    rows: list[dict[str, Any]],
    *,
    wet_run: bool,
    stdout: OutputWrapper | None = None,
    references: dict[str, str] | None = None,
    delete_missing: bool = True,
    label: str | None = None,
    batch_size: int = 500,
) -> Diff:
    """Make `model`'s table hold exactly `rows` (by natural key), or say what that would do.

    - `key_field`: the natural key, one field name or several (e.g. `("code", "commune")`).
    - `rows`: dicts with the same keys; only those fields are compared and written, other
      columns are left alone (a row without `parent` never touches `parent`).
    - `references`: `{fk_field: natural_key_field_of_target}`; the row then holds the
      target's natural key (or None). Targets of other tables must already exist (sync
      them first); self-references are resolved after the rows are created.
    - `delete_missing`: delete the rows whose key is not in `rows` (default), or keep them.
    - `stdout`: where to print the one-line summary (nothing printed when None).

    Call it inside a transaction (`ReferenceLoaderCommand` does). Returns the `Diff`.
    Raises `LoadError` on duplicate keys or on a reference to an unknown row.
    """
    references = references or {}
    key_fields = (key_field,) if isinstance(key_field, str) else tuple(key_field)
    table = label or str(model._meta.verbose_name_plural)
    fields = [name for name in (rows[0] if rows else {}) if name not in key_fields]
    all_fields = [*key_fields, *fields]
    for index, row in enumerate(rows):
        if set(row) != set(all_fields):
            raise LoadError(f"{table} : la ligne {index + 1} n'a pas les mêmes champs.")

    def lookup(name: str) -> str:
        return f"{name}__{references[name]}" if name in references else name

    wanted: dict[Key, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[name] for name in key_fields)
        if key in wanted:
            raise LoadError(f"{table} : clé en double « {_display(key)} ».")
        wanted[key] = row

    existing: dict[Key, tuple[Any, dict[str, Any]]] = {}
    for values in model._default_manager.values("pk", *map(lookup, all_fields)):
        key = tuple(values[lookup(name)] for name in key_fields)
        existing[key] = (values["pk"], {name: values[lookup(name)] for name in fields})

    diff = Diff(table=table)
    to_add: list[Key] = []
    to_change: list[tuple[Any, Key, list[str]]] = []
    for key, row in wanted.items():
        if key not in existing:
            to_add.append(key)
            continue
        pk, current = existing[key]
        changed_fields = [name for name in fields if current[name] != row[name]]
        if changed_fields:
            to_change.append((pk, key, changed_fields))
        else:
            diff.unchanged += 1
    to_remove = [key for key in existing if key not in wanted] if delete_missing else []
    diff.added = [_display(key) for key in to_add]
    diff.changed = [_display(key) for _, key, _ in to_change]
    diff.removed = [_display(key) for key in to_remove]
    diff.final_count = len(existing) + len(to_add) - len(to_remove)

    if wet_run and diff.has_changes:
        _write(
            model,
            key_fields,
            fields,
            wanted,
            existing,
            to_add,
            to_change,
            to_remove,
            references,
            table,
            batch_size,
        )
    if stdout is not None:
        stdout.write(diff.summary())
    return diff


def _write(
    model: type[models.Model],
    key_fields: tuple[str, ...],
    fields: list[str],
    wanted: dict[Key, dict[str, Any]],
    existing: dict[Key, tuple[Any, dict[str, Any]]],
    to_add: list[Key],
    to_change: list[tuple[Any, Key, list[str]]],
    to_remove: list[Key],
    references: dict[str, str],
    table: str,
    batch_size: int,
) -> None:
    meta = model._meta
    self_refs = {
        name for name in references if meta.get_field(name).related_model is model
    }  # set after creation
    pk_maps = {
        name: _pk_map(meta.get_field(name).related_model, natural)
        for name, natural in references.items()
        if name not in self_refs
    }

    def attname(name: str) -> str:
        return meta.get_field(name).attname

    def resolve(name: str, value: Any) -> Any:
        if name not in references or value is None:
            return value
        try:
            return pk_maps[name][value]
        except KeyError:
            raise LoadError(f"{table} : « {value} » inconnu pour le champ {name}.") from None

    # New rows, in waves when they point to each other: a row is created once the rows it
    # points to exist, so that no second pass of updates is needed (fast on 10,000 rows).
    if self_refs:
        for name in self_refs:
            pk_maps[name] = _pk_map(model, references[name])
    pending = list(to_add)
    while pending:
        wave = [
            key
            for key in pending
            if all(wanted[key][n] is None or wanted[key][n] in pk_maps[n] for n in self_refs)
        ]
        if not wave:
            first = pending[0]
            name = next(n for n in sorted(self_refs) if wanted[first][n] not in pk_maps[n])
            raise LoadError(f"{table} : « {wanted[first][name]} » inconnu pour le champ {name}.")
        created = model._default_manager.bulk_create(
            [
                model(**{attname(n): resolve(n, wanted[key][n]) for n in [*key_fields, *fields]})
                for key in wave
            ],
            batch_size=batch_size,
        )
        for name in self_refs:
            natural = references[name]
            if all(obj.pk is not None for obj in created) and natural in wanted[wave[0]]:
                pk_maps[name].update(
                    (wanted[key][natural], obj.pk) for key, obj in zip(wave, created, strict=True)
                )
            else:  # a database that does not return the new ids
                pk_maps[name] = _pk_map(model, natural)
        done = set(wave)
        pending = [key for key in pending if key not in done]

    updates: dict[tuple[str, ...], list[models.Model]] = {}
    for pk, key, changed_fields in to_change:
        names = tuple(changed_fields)
        obj = model(pk=pk, **{attname(n): resolve(n, wanted[key][n]) for n in names})
        updates.setdefault(names, []).append(obj)
    for names, objs in updates.items():
        model._default_manager.bulk_update(objs, [attname(n) for n in names], batch_size)

    # Rows leaving the table last, once the remaining rows point elsewhere; their own
    # self-references are cut so that PROTECT does not stop deleting a parent with its child.
    if to_remove:
        remove_pks = [existing[key][0] for key in to_remove]
        for name in self_refs:
            model._default_manager.filter(pk__in=remove_pks).update(**{name: None})
        model._default_manager.filter(pk__in=remove_pks).delete()


class ReferenceLoaderCommand(BaseCommand):
    """Base of a loader: dry run unless `--wet-run`, one transaction, a French report.

    Subclasses implement `load(wet_run=…, **options)` returning the `Diff` of each table
    (usually from `sync_table(..., stdout=self.out)`, where `self.out` is None at
    verbosity 0), and may extend `add_arguments` (call `super()`).
    """

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run",
            action="store_true",
            help="Écrire réellement dans la base (sans cette option, rien n'est écrit).",
        )

    @property
    def out(self) -> OutputWrapper | None:
        return self.stdout if self.verbosity >= 1 else None

    def load(self, *, wet_run: bool, **options: Any) -> Iterable[Diff]:
        raise NotImplementedError

    def handle(self, *args: Any, wet_run: bool = False, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        with transaction.atomic():
            diffs = list(self.load(wet_run=wet_run, **options))
        self.last_diffs = diffs
        if wet_run and any(diff.has_changes for diff in diffs):
            # Bulk writes send no model signal: the cached public pages go stale here (#15).
            bump_network_version()
        if self.verbosity < 1:
            return
        if self.verbosity >= 2:
            for diff in diffs:
                for line in diff.details():
                    self.stdout.write(f"{diff.table}{line}")
        if not any(diff.has_changes for diff in diffs):
            self.stdout.write(self.style.SUCCESS("Aucun changement."))
        elif wet_run:
            self.stdout.write(self.style.SUCCESS("Modifications enregistrées."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Simulation : rien n'a été écrit. Relancez avec --wet-run pour appliquer."
                )
            )
        counts = ", ".join(f"{diff.table} {diff.final_count}" for diff in diffs)
        self.stdout.write(f"Effectifs : {counts}.")
