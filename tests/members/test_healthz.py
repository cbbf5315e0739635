from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fuyuan.celery import app
from members.services import heartbeat_record
from members.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_healthy_when_database_broker_and_worker_are_fine(client: Client) -> None:
    heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker"}


def test_503_names_a_silent_worker(client: Client) -> None:
    heartbeat_record(now=timezone.now() - timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]


def test_503_names_an_unreachable_broker(client: Client) -> None:
    heartbeat()
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
