"""Loading the network's reference rows: `clauses.core.loading.sync_table` plus history.

`sync_table` writes with bulk operations, which django-simple-history does not see; the
network keeps a history of every change (who, when, what), so `sync_with_history` adds one
historical row per added or changed record, with the loader's change reason.
Removed rows are never handled here: each loader decides what it may delete (never demo rows,
never rows it does not own).
"""

from typing import Any

from django.core.management.base import OutputWrapper
from django.db import models

from clauses.core.loading import Diff, sync_table


def _display(key: tuple[Any, ...]) -> str:
    # Same rendering as clauses.core.loading (keys are compared as strings in a Diff).
    return "|".join("" if part is None else str(part) for part in key)


def sync_with_history(
    model: type[models.Model],
    key_fields: tuple[str, ...],
    rows: list[dict[str, Any]],
    *,
    wet_run: bool,
    stdout: OutputWrapper | None,
    references: dict[str, str] | None = None,
    label: str | None = None,
    reason: str,
) -> Diff:
    """`sync_table(..., delete_missing=False)`, then a history row for each record added
    (`+`) or changed (`~`) in a wet run."""
    references = references or {}
    diff = sync_table(
        model,
        key_fields if len(key_fields) > 1 else key_fields[0],
        rows,
        wet_run=wet_run,
        stdout=stdout,
        references=references,
        delete_missing=False,
        label=label,
    )
    if not (wet_run and (diff.added or diff.changed)):
        return diff
    lookups = [f"{n}__{references[n]}" if n in references else n for n in key_fields]
    added, changed = set(diff.added), set(diff.changed)
    new, updated = [], []
    for obj in model._default_manager.filter(is_demo=False).select_related(
        *[n for n in key_fields if n in references]
    ):
        key = _display(tuple(_follow(obj, lookup) for lookup in lookups))
        if key in added:
            new.append(obj)
        elif key in changed:
            updated.append(obj)
    history = model.history  # type: ignore[attr-defined]
    if new:
        history.bulk_history_create(new, default_change_reason=reason)
    if updated:
        history.bulk_history_create(updated, update=True, default_change_reason=reason)
    return diff


def _follow(obj: models.Model, lookup: str) -> Any:
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj
