"""Reports read a replica when `DATABASE_REPLICA_URL` is set (#15); the rest, the primary."""

from clauses.core.replica import REPLICA, ReplicaRouter, reading_replica
from tests.core.test_settings import SECRET, run_python

SETTINGS = """
import django; django.setup()
from django.conf import settings
print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS[:1], settings.MIDDLEWARE[-1])
print(settings.DATABASES.get("replica", {}).get("HOST"), settings.MEDIA_ROOT)
"""


def test_the_router_sends_only_reports_reads_to_the_replica():
    router = ReplicaRouter()
    assert router.db_for_read(object) is None
    with reading_replica():
        assert router.db_for_read(object) == REPLICA
        assert router.db_for_write(object) == "default"
    assert router.db_for_read(object) is None
    assert router.allow_migrate("default", "hours") and not router.allow_migrate(REPLICA, "hours")


def test_replica_url_adds_the_replica_and_its_router(tmp_path):
    result = run_python(
        SETTINGS,
        tmp_path,
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL="postgres://u@primary.example:5432/clauses",
        DATABASE_REPLICA_URL="postgres://u@replica.example:5432/clauses",
        CLAUSES_MEDIA_DIR="/srv/partage/media",
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == (
        "['default', 'replica'] ['clauses.core.replica.ReplicaRouter'] "
        "clauses.core.replica.ReportsOnReplicaMiddleware"
    )
    assert second == "replica.example /srv/partage/media"


def test_without_replica_url_one_database(tmp_path):
    result = run_python(SETTINGS, tmp_path, DJANGO_SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.startswith("['default'] [] ")
    assert second == f"None {tmp_path}/media"
