"""Trigram index for the commune search (#15): on PostgreSQL, `search_name LIKE '% word%'`
(a word of the name starting with the text) is served by a GIN index of pg_trgm; the prefix
match already has the `_like` index of `db_index`. Nothing on SQLite (the portable path: the
same queries, a scan of a few thousand short rows) nor on a PostgreSQL without pg_trgm (the
search stays right, only slower; `docs/deployment.md`)."""

from django.db import migrations, transaction

INDEX = "territories_commune_search_name_trgm"


def create_index(apps, schema_editor) -> None:  # noqa: ANN001
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - no pg_trgm, or not allowed to create it
            return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON territories_commune "
            "USING gin (search_name gin_trgm_ops)"
        )


def drop_index(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0002_commune_shape_names"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
