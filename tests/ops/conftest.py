"""Operations tests: they start processes, dump and restore databases, restart services.

Marked `ops`: excluded from `make test` / `make test-pg`, run alone by `make test-ops` on
PostgreSQL (CI's last stage). They need `DATABASE_URL` to name a PostgreSQL server whose user
may create databases.
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.fail("Les tests d'exploitation (make test-ops) demandent DATABASE_URL=postgres://…")
    return url


def database_url(name: str) -> str:
    parts = urlsplit(postgres_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql(url: str, sql: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed program, our own SQL
        ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One database with the reference and demo data, shared by the ops tests (seeding takes
    a minute); yields the environment that points a process at it."""
    admin = database_url("postgres")
    name = f"clauses_ops_demo_{uuid.uuid4().hex[:8]}"
    psql(admin, f'CREATE DATABASE "{name}"')
    env = {
        "DATABASE_URL": database_url(name),
        "CLAUSES_VAR_DIR": str(tmp_path_factory.mktemp("demo-var")),
    }
    try:
        manage("migrate", "--noinput", env=env)
        manage("load_reference", "--wet-run", env=env)
        manage("seed_demo", env=env)
        yield env
    finally:
        psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_database() -> Iterator[callable]:
    """Create throwaway databases (dropped afterwards); returns a factory of their URLs."""
    created: list[str] = []
    admin = database_url("postgres")

    def make(prefix: str) -> str:
        name = f"clauses_{prefix}_{uuid.uuid4().hex[:8]}"
        psql(admin, f'CREATE DATABASE "{name}"')
        created.append(name)
        return database_url(name)

    yield make
    for name in created:
        psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    """`manage.py` in a fresh process with the demo settings and the given environment."""
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAUSES_", "DATABASE"))
    }
    full_env.update({"DJANGO_SETTINGS_MODULE": "clauses.settings.dev", "PYTHONPATH": str(ROOT)})
    full_env.update(env)
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result
