"""Backups are proven, not assumed (#11): the demo database and its uploaded files are dumped
by `deploy/backup`, restored by `deploy/restore` into a fresh database and an empty folder,
and every row and every stored file is found again."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, manage, psql

ADD_FILE = """
from django.core.files.base import ContentFile
from clauses.desk.models import Attachment, Request
request = Request.objects.order_by("pk").first()
content = b"%PDF-1.4\\n% Clauses backup test\\n%%EOF\\n"
Attachment.objects.create(
    request=request, file=ContentFile(content, name="sauvegarde.pdf"),
    original_name="sauvegarde.pdf", detected_type="pdf", size=len(content),
    sha256=__import__("hashlib").sha256(content).hexdigest(),
)
"""

pytestmark = pytest.mark.ops

FINGERPRINT = (
    "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
    'FROM "{table}" t'
)
TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


def table_fingerprints(url: str) -> dict[str, str]:
    """Each table's row count and a digest of its rows, in a stable order."""
    fingerprints = {}
    for table in psql(url, TABLES).split():
        query = FINGERPRINT.format(table=table)  # names come from pg_tables
        fingerprints[table] = psql(url, query).strip()
    return fingerprints


def file_digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run(script: str, *args: str, env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - our own scripts
        [str(ROOT / "deploy" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{script}: {result.stdout}\n{result.stderr}"


def test_a_backup_of_the_demo_restores_every_row_and_every_file(
    demo_database, scratch_database, tmp_path
):
    source_env = demo_database
    source = source_env["DATABASE_URL"]
    manage("shell", "-c", ADD_FILE, env=source_env)
    stored = file_digests(Path(source_env["CLAUSES_VAR_DIR"]) / "media")
    assert stored, "the source holds at least one uploaded file"

    run("backup", str(tmp_path / "backups"), env=source_env)
    (dump,) = (tmp_path / "backups").glob("clauses-*.dump")
    target = scratch_database("backup_dst")
    target_env = {"DATABASE_URL": target, "CLAUSES_VAR_DIR": str(tmp_path / "dst")}
    run("restore", str(dump.with_suffix("")), env=target_env)

    assert table_fingerprints(target) == table_fingerprints(source)
    assert file_digests(tmp_path / "dst" / "media") == stored
    # Every file the database refers to is in the restored folder.
    names = psql(target, "SELECT file FROM desk_attachment").split()
    assert names and all((tmp_path / "dst" / "media" / name).is_file() for name in names)


def test_restore_refuses_a_set_whose_checksums_are_wrong(scratch_database, tmp_path):
    source = scratch_database("backup_bad", "migrated")
    env = {"DATABASE_URL": source, "CLAUSES_VAR_DIR": str(tmp_path / "src")}
    run("backup", str(tmp_path / "backups"), env=env)
    (dump,) = (tmp_path / "backups").glob("clauses-*.dump")
    dump.write_bytes(dump.read_bytes() + b"tampered")
    target = scratch_database("backup_bad_dst")
    result = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "deploy" / "restore"), str(dump.with_suffix(""))],
        env={**os.environ, "DATABASE_URL": target, "CLAUSES_VAR_DIR": str(tmp_path / "dst")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "sommes de contrôle" in result.stderr
    assert psql(target, TABLES).strip() == ""
