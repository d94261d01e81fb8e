"""Operations tests: they start processes, dump and restore databases, restart services.

Marked `ops`: excluded from `make test` / `make test-pg`, run alone by `make test-ops` on
PostgreSQL (CI's last stage). They need `DATABASE_URL` to name a PostgreSQL server whose user
may create databases.
"""

import os
import shutil
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


def create_database(name: str, template: str | None = None) -> str:
    """A new database, empty or a copy of `template` (PostgreSQL copies its files: about a
    second, where migrating takes tens of seconds); returns its URL."""
    copy = f' TEMPLATE "{template}"' if template else ""
    psql(database_url("postgres"), f'CREATE DATABASE "{name}"{copy}')
    return database_url(name)


def drop_database(name: str) -> None:
    psql(database_url("postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The session's template databases, each built once by the real commands in a fresh
    process: "migrated" (`migrate` on an empty database) and "reference" (a copy of it, then
    `load_reference --wet-run`). Tests copy them instead of migrating again; a test whose
    subject is a migration still migrates for itself (test_journal_migrations.py)."""
    suffix = uuid.uuid4().hex[:8]
    names = {"migrated": f"clauses_ops_tpl_migrated_{suffix}"}
    names["reference"] = f"clauses_ops_tpl_reference_{suffix}"
    env = {"CLAUSES_VAR_DIR": str(tmp_path_factory.mktemp("template-var"))}
    try:
        env["DATABASE_URL"] = create_database(names["migrated"])
        manage("migrate", "--noinput", env=env)
        env["DATABASE_URL"] = create_database(names["reference"], template=names["migrated"])
        manage("load_reference", "--wet-run", env=env)
        yield names
    finally:
        for name in names.values():
            drop_database(name)


@pytest.fixture(scope="session")
def demo_database(
    templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """One database with the reference and demo data, shared by the ops tests (seeding takes
    a minute); yields the environment that points a process at it."""
    name = f"clauses_ops_demo_{uuid.uuid4().hex[:8]}"
    env = {
        "DATABASE_URL": create_database(name, template=templates["reference"]),
        "CLAUSES_VAR_DIR": str(tmp_path_factory.mktemp("demo-var")),
    }
    try:
        manage("seed_demo", env=env)
        yield env
    finally:
        drop_database(name)


@pytest.fixture
def scratch_database(templates: dict[str, str]) -> Iterator[callable]:
    """Create throwaway databases (dropped afterwards); returns a factory of their URLs:
    `make(prefix)` is empty, `make(prefix, "migrated")` or `make(prefix, "reference")` a copy
    of that session template."""
    created: list[str] = []

    def make(prefix: str, content: str | None = None) -> str:
        name = f"clauses_{prefix}_{uuid.uuid4().hex[:8]}"
        url = create_database(name, template=templates[content] if content else None)
        created.append(name)
        return url

    yield make
    for name in created:
        drop_database(name)


@pytest.fixture(scope="session")
def static_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`collectstatic` once for the session, with the production settings (hashed names,
    manifest); a test's server gets a copy in its own var folder (`copy_static`)."""
    var_dir = tmp_path_factory.mktemp("static-var")
    env = {
        "DJANGO_SETTINGS_MODULE": "clauses.settings.base",
        "DJANGO_SECRET_KEY": "ops-tests-only-" + "s7Kd2pQ9vX" * 5,
        "CLAUSES_VAR_DIR": str(var_dir),
    }
    manage("collectstatic", "--noinput", env=env)
    return var_dir / "static"


def copy_static(static_files: Path, var_dir: Path) -> None:
    shutil.copytree(static_files, Path(var_dir) / "static")


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
