"""The cache is shared by every server process when `REDIS_URL` is set (#11.6, #15).

Rate limits and cached pages live in Django's cache. Local memory (the embedded default) is
per process; with `REDIS_URL` every process and machine counts in the same place. The
cross-process test needs a Redis server: CI's PostgreSQL stage starts one and sets
`CLAUSES_TEST_REDIS_URL`; elsewhere the test is skipped, saying why.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.core.test_settings import SECRET, run_python

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CLAUSES_TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="CLAUSES_TEST_REDIS_URL absent : pas de serveur Redis pour ce test"
)

BACKEND = """
import django; django.setup()
from django.conf import settings
print(settings.CACHES["default"]["BACKEND"])
"""


def test_without_redis_url_the_cache_is_local_memory(tmp_path):
    result = run_python(BACKEND, tmp_path, DJANGO_SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_the_shared_redis_cache(tmp_path):
    result = run_python(
        BACKEND, tmp_path, DJANGO_SECRET_KEY=SECRET, REDIS_URL="redis://127.0.0.1:6379/9"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clauses.core.rediscache.RedisCache"  # Django's, client kept


COUNT = """
import sys, django; django.setup()
from django.core.cache import cache
key, times = sys.argv[1], int(sys.argv[2])
for _ in range(times):
    cache.add(key, 0, 60)
    cache.incr(key)
"""


@needs_redis
def test_two_processes_count_in_the_same_redis_counter(tmp_path):
    """`cache.add` + `cache.incr` is atomic across processes: no increment is lost."""
    key = f"test-shared-{uuid.uuid4().hex}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAUSES_", "DATABASE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="clauses.settings.base",
        DJANGO_SECRET_KEY=SECRET,
        CLAUSES_VAR_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
        REDIS_URL=REDIS_URL,
    )
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", COUNT, key, "200"], cwd=tmp_path, env=env
        )
        for _ in range(2)
    ]
    assert all(process.wait(timeout=120) == 0 for process in processes)
    read = run_python(
        f"import django; django.setup()\nfrom django.core.cache import cache\n"
        f"print(cache.get({key!r}))",
        tmp_path,
        DJANGO_SECRET_KEY=SECRET,
        REDIS_URL=REDIS_URL,
    )
    assert read.stdout.strip() == "400", read.stderr
