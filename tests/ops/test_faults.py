"""Faults survived, each caused for real (#11): processes killed mid-work, and what they
leave behind."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.ops.conftest import ROOT, copy_static, manage, psql

pytestmark = pytest.mark.ops

STATUS = "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = '{task_id}'"
ENQUEUE = """
from tests.core.tasks_for_tests import mark
print("id=" + str(mark.enqueue({path!r}, hold={hold!r}).id))
"""


def worker(env: dict[str, str], *args: str) -> subprocess.Popen:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAUSES_", "DATABASE"))
    }
    full_env.update(DJANGO_SETTINGS_MODULE="clauses.settings.dev", PYTHONPATH=str(ROOT), **env)
    return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "task_worker", "--worker-id", "ops-a", *args],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("délai dépassé")
        time.sleep(0.1)


def test_a_task_whose_worker_is_killed_runs_again_once_on_restart(scratch_database, tmp_path):
    url = scratch_database("faults_worker", "migrated")
    env = {"DATABASE_URL": url, "CLAUSES_VAR_DIR": str(tmp_path)}
    runs, hold = tmp_path / "runs.txt", tmp_path / "hold"
    hold.touch()
    output = manage("shell", "-c", ENQUEUE.format(path=str(runs), hold=str(hold)), env=env).stdout
    task_id = output.rsplit("id=", 1)[1].strip()

    first = worker(env, "--interval", "0.1")
    wait_for(lambda: runs.exists() and "début" in runs.read_text(encoding="utf-8"))
    first.send_signal(signal.SIGKILL)  # in the middle of the task: no chance to clean up
    first.wait(timeout=10)
    first.stdout.close()
    status = STATUS.format(task_id=task_id)
    assert psql(url, status).strip() == "RUNNING"

    # The same identity comes back: the interrupted task runs again, to its end, once.
    runs.unlink()
    hold.unlink()
    second = worker(env, "--batch", "--interval", "0")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output
    assert "1 tâche(s) interrompue(s) remise(s) en file." in output
    assert runs.read_text(encoding="utf-8") == "début\nfin\n"
    assert psql(url, status).strip() == "SUCCESSFUL"


SECRET = "ops-tests-only-" + "q8Zr4mT1xW" * 5


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(url: str, var_dir: str) -> dict[str, str]:
    """The production settings, on loopback, with the desk's limits out of the way."""
    return {
        "DJANGO_SETTINGS_MODULE": "clauses.settings.base",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": url,
        "CLAUSES_VAR_DIR": var_dir,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR": "100000",
        "CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY": "100000",
    }


def gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAUSES_", "DATABASE"))
    }
    full_env.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.Popen(  # noqa: S603 - our own server
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "clauses.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def filing(number: int) -> dict:
    return {
        "kind": "facilitator_contact",
        "buyer_name": "Ville de Saint-Denis",
        "buyer_siret": "21930066200018",  # valid keys (python-stdnum)
        "contact_name": "Camille Martin",
        "contact_email": f"charge-{number}@ville-test.fr",
        "contact_phone": "",
        "execution_communes": ["93066"],
        "execution_departments": [],
        "region_wide": False,
        "message": f"Demande de charge n° {number} pendant le redémarrage de la base.",
        "market": {
            "subject": f"Marché de charge {number}",
            "cpv": "45000000",
            "estimated_amount": 1200000,
            "planned_publication_date": "2030-01-15",
            "duration_months": 18,
        },
    }


def cluster_of(url: str) -> tuple[str, str]:
    """The local cluster (version, name) that listens on the port of `url` (pg_lsclusters):
    the test restarts the server it writes to, never another cluster of the machine."""
    from urllib.parse import urlsplit

    port = str(urlsplit(url).port or 5432)
    listing = subprocess.run(  # noqa: S603 - Debian's cluster listing
        ["pg_lsclusters", "--no-header"],  # noqa: S607
        check=True,
        timeout=30,
        capture_output=True,
        text=True,
    ).stdout
    for line in listing.splitlines():
        version, name, cluster_port, *_ = line.split()
        if cluster_port == port:
            return version, name
    pytest.skip(f"aucun cluster PostgreSQL local n'écoute sur le port {port}")


def restart_postgres(cluster: tuple[str, str]) -> None:
    version, name = cluster
    subprocess.run(  # noqa: S603 - the test's own cluster, as .ci/run starts it
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],  # noqa: S607
        check=True,
        timeout=120,
        capture_output=True,
    )


class Answer:
    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status_code, self.text, self.headers = status, body.decode("utf-8", "replace"), headers


def call(base: str, path: str, body: dict | None = None) -> Answer:
    """One HTTP call with the standard library; connection failures are status 0."""
    import json
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback only
        base + path, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), dict(error.headers))
    except (urllib.error.URLError, OSError):  # refused, reset, timed out
        return Answer(0, b"", {})


def test_postgres_restarted_under_load_fails_cleanly_and_recovers(
    scratch_database, static_files, tmp_path
):
    """Requests during a PostgreSQL restart fail with a French 503 (never a traceback); the
    service comes back by itself; every acknowledged write is there afterwards."""
    import json

    if not os.path.isdir("/etc/postgresql"):
        pytest.skip("aucun cluster PostgreSQL local à redémarrer")
    url = scratch_database("faults_pg", "reference")
    cluster = cluster_of(url)
    env = production_env(url, str(tmp_path))
    copy_static(static_files, tmp_path)
    port = free_port()
    server = gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    failures: list[Answer] = []
    statuses: list[int] = []

    def one_round(number: int) -> None:
        for answer in (
            call(base, "/"),
            call(base, "/api/v1/communes?q=saint-denis"),
            call(base, "/api/v1/desk/requests", filing(number)),
        ):
            statuses.append(answer.status_code)
            if answer.status_code == 201:
                acknowledged.append(json.loads(answer.text)["reference"])
            elif answer.status_code >= 500:
                failures.append(answer)

    try:
        wait_for(lambda: call(base, "/").status_code == 200, timeout=300)
        first = call(base, "/api/v1/desk/requests", filing(-1))
        assert first.status_code == 201, (first.status_code, first.text[:1000])
        acknowledged.append(json.loads(first.text)["reference"])
        for number in range(10):
            one_round(number)
        restart_postgres(cluster)
        for number in range(10, 40):
            one_round(number)
        # Recovered by itself: the last rounds all succeed.
        assert all(200 <= status < 500 for status in statuses[-9:]), statuses
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert 0 not in statuses, "the server never dropped a connection"
    for answer in failures:
        assert answer.status_code == 503, (answer.status_code, answer.text[:500])
        assert "Traceback" not in answer.text
        assert "indisponible" in answer.text
        assert answer.headers.get("Retry-After")
    references = set(psql(url, "SELECT reference FROM desk_request").split())
    assert set(acknowledged) <= references
    assert len(acknowledged) >= 30


COMPANY = """
import io
from openpyxl import load_workbook
from clauses.access.actors import actor_for_membership
from clauses.accounts.models import Membership
from clauses.hours import imports
membership = Membership.objects.filter(user__email="entreprise@demo.clauses.example").first()
actor = actor_for_membership(membership, user=membership.user)
"""
BUILD = (
    COMPANY
    + """
book = load_workbook(io.BytesIO(imports.template_xlsx(actor)))
sheet = book["Déclarations"]
column = [cell.value for cell in sheet[1]].index("Heures")
rows = 0
for row in sheet.iter_rows(min_row=2):
    row[column].value = 10
    rows += 1
out = io.BytesIO()
book.save(out)
open({path!r}, "wb").write(out.getvalue())
print("rows=" + str(rows))
"""
)
IMPORT = (
    COMPANY
    + """
outcome = imports.import_declarations(actor=actor, file=open({path!r}, "rb").read(), name="k.xlsx")
print("created=" + str(outcome.created), [str(problem) for problem in outcome.problems])
"""
)
COUNT = "SELECT count(*) FROM hours_hourdeclaration"
# An import journals its new declarations by one audit event, written after them in the same
# transaction (clauses/hours/services.py): the import waits there, its declarations written.
JOURNAL = "access_auditevent"  # AuditEvent (accounts) kept its table name
WAITING = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"access_auditevent\"%'"
)


def test_an_import_killed_in_the_middle_leaves_nothing_and_imports_again(demo_database, tmp_path):
    """The server process dies while it writes a spreadsheet's declarations: its transaction
    is rolled back by PostgreSQL, nothing is half-written, and the same file imports cleanly
    afterwards (the file's fingerprint was not kept either)."""
    env, url = demo_database, demo_database["DATABASE_URL"]
    path = tmp_path / "declarations.xlsx"
    rows = int(manage("shell", "-c", BUILD.format(path=str(path)), env=env).stdout.split("=")[-1])
    assert rows > 0
    before = psql(url, COUNT).strip()

    # Another session holds the journal table (reads allowed, writes wait): the import writes
    # its declarations, then waits on the lock to journal them — in the middle of its
    # transaction.
    holder = subprocess.Popen(  # noqa: S603 - psql on our scratch database
        ["psql", "-X", "-q", "-d", url],  # noqa: S607
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    holder.stdin.write(f"BEGIN; LOCK TABLE {JOURNAL} IN EXCLUSIVE MODE;\n")
    holder.stdin.flush()
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAUSES_", "DATABASE"))
    }
    full_env.update(DJANGO_SETTINGS_MODULE="clauses.settings.dev", PYTHONPATH=str(ROOT), **env)
    importer_log = tmp_path / "importer.log"
    with importer_log.open("w") as log:
        importer = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", IMPORT.format(path=str(path))],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # Until the import waits on the lock; an import that ended without waiting fails at
        # once, with what it printed.
        wait_for(
            lambda: psql(url, WAITING).strip() != "0" or importer.poll() is not None,
            timeout=300,
        )
        assert importer.poll() is None, (
            "the import ended without waiting on the journal's lock:\n"
            + importer_log.read_text()[-3000:]
        )
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=10)
    finally:
        holder.stdin.write("ROLLBACK;\n\\q\n")
        holder.stdin.close()
        holder.wait(timeout=30)

    assert psql(url, COUNT).strip() == before, "nothing of the killed import was kept"
    output = manage("shell", "-c", IMPORT.format(path=str(path)), env=env).stdout
    assert f"created={rows} []" in output, output
    assert int(psql(url, COUNT).strip()) == int(before) + rows
