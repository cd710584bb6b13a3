"""Jobs enqueued by the web process are run by a real consumer in another process."""

from __future__ import annotations

import os
import signal
import socket

import pytest

from rallypoint.core.models import WorkerHeartbeat
from rallypoint.core.services import worker_heartbeat_record
from rallypoint.core.tasks import worker_heartbeat

pytestmark = pytest.mark.timeout(90)


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_heartbeat_the_web_process_enqueued(job_queue, start_cli):
    worker = start_cli("worker", "--workers", "1", **job_queue.env)

    result = worker_heartbeat()  # enqueued here, as a request handler would

    outcome = result.get(blocking=True, timeout=30)
    assert outcome is not None, worker.output()
    assert outcome["pid"] == worker.pid
    assert outcome["host"] == socket.gethostname()
    assert WorkerHeartbeat.objects.filter(pid=worker.pid).exists()
    assert worker.stop(signal.SIGINT) == 0
    output = worker.output()
    assert "Job consumer stopped" in output
    assert "Traceback" not in output


@pytest.mark.django_db(transaction=True)
def test_worker_stops_cleanly_on_sigterm(job_queue, start_cli):
    worker = start_cli("worker", "--workers", "2", **job_queue.env)
    assert worker_heartbeat().get(blocking=True, timeout=30)["pid"] == worker.pid

    assert worker.stop(signal.SIGTERM) == 0
    output = worker.output()
    assert "Job consumer stopped" in output
    assert "Traceback" not in output


@pytest.mark.django_db
def test_heartbeat_record_keeps_one_row_per_process_and_forgets_old_ones():
    gone = worker_heartbeat_record(host="old-host", pid=1)
    WorkerHeartbeat.objects.filter(pk=gone.pk).update(last_seen="2000-01-01T00:00:00Z")

    first = worker_heartbeat_record(host="web-1", pid=os.getpid())
    second = worker_heartbeat_record(host="web-1", pid=os.getpid())

    assert first.pk == second.pk
    assert second.last_seen >= first.last_seen
    assert list(WorkerHeartbeat.objects.values_list("host", flat=True)) == ["web-1"]


@pytest.mark.django_db
def test_heartbeat_task_runs_inline_when_jobs_are_immediate():
    assert worker_heartbeat().get()["pid"] == os.getpid()
    assert WorkerHeartbeat.objects.get().pid == os.getpid()
