"""A task whose worker was killed runs again when the worker comes back, once (#11)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clauses.core.tasks_recovery import requeue_interrupted
from tests.core.tasks_for_tests import mark

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """The worker closes "old" connections between tasks, as a long-running process should;
    inside a test transaction that would close the test's own connection (PostgreSQL)."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )


@pytest.fixture
def queued(tmp_path):
    with override_settings(TASKS=DATABASE_TASKS):
        path = tmp_path / "runs.txt"
        result = mark.enqueue(str(path))
        yield DBTaskResult.objects.get(pk=result.id), path


@pytest.mark.django_db
def test_a_task_left_running_by_this_worker_runs_again_once(queued):
    db_result, path = queued
    db_result.claim("worker-a")  # the worker claimed it, then was killed
    assert requeue_interrupted(worker_id="worker-a", now=timezone.now(), stale_after=None) == 1
    call_command("task_worker", worker_id="worker-a", batch=True, interval=0)
    db_result.refresh_from_db()
    assert db_result.status == TaskResultStatus.SUCCESSFUL
    assert path.read_text(encoding="utf-8") == "début\nfin\n"


@pytest.mark.django_db
def test_another_workers_running_task_is_left_alone_until_stale(queued):
    db_result, _ = queued
    db_result.claim("worker-b")
    now = timezone.now()
    assert requeue_interrupted(worker_id="worker-a", now=now, stale_after=None) == 0
    assert requeue_interrupted(worker_id="worker-a", now=now, stale_after=timedelta(hours=1)) == 0
    later = now + timedelta(hours=2)
    assert requeue_interrupted(worker_id="worker-a", now=later, stale_after=timedelta(hours=1)) == 1
    db_result.refresh_from_db()
    assert db_result.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_finished_tasks_are_never_run_again(queued):
    db_result, path = queued
    call_command("task_worker", worker_id="worker-a", batch=True, interval=0)
    call_command("task_worker", worker_id="worker-a", batch=True, interval=0)
    db_result.refresh_from_db()
    assert db_result.status == TaskResultStatus.SUCCESSFUL
    assert path.read_text(encoding="utf-8") == "début\nfin\n"
