"""Faults survived, each caused for real (#11): processes killed mid-work, and what they
leave behind."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.ops.conftest import ROOT, manage, psql

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
    url = scratch_database("faults_worker")
    env = {"DATABASE_URL": url, "CLAUSES_VAR_DIR": str(tmp_path)}
    manage("migrate", "--noinput", env=env)
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
