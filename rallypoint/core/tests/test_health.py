from __future__ import annotations

import httpx
import pytest

from conftest import free_port
from rallypoint.core.services import worker_heartbeat_record

pytestmark = pytest.mark.timeout(60)


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_part_and_recent_workers(client):
    worker_heartbeat_record(host="jobs-1", pid=4242)

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "queue", "realtime"}
    assert all(part["ok"] for part in body["checks"].values())
    assert [(w["host"], w["pid"]) for w in body["workers"]] == [("jobs-1", 4242)]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_503_naming_what_is_down(app_server_factory):
    closed_port = free_port()
    server = app_server_factory(REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")

    response = httpx.get(f"{server.url}/readyz", timeout=10)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["failing"]) == {"cache", "queue", "realtime"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"] == body["checks"]["cache"] | {"ok": False}
    assert "error" in body["checks"]["queue"]


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_database_when_it_is_down(app_server_factory, tmp_path):
    server = app_server_factory(DATABASE_URL=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")

    response = httpx.get(f"{server.url}/readyz", timeout=10)

    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert "workers" not in response.json()
