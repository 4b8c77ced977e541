"""/healthz: the database and the broker, 503 when either is down."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roadmap_site import views
from roadmap_site.celery import app as celery_app

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_url(settings, monkeypatch):
    """Point Django's setting and the Celery app at a broker. The app read its
    configuration once, and its `broker_url` prefers the CELERY_BROKER_URL variable."""

    def point(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_write_url", None)

    return point


def test_healthy_on_the_test_database(client, settings):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]
    if not settings.CELERY_BROKER_URL:
        assert body["broker"].startswith("in-process")
    else:
        assert body["broker"] == "ok"  # the PostgreSQL + Redis run has a live broker


def test_broker_on_a_closed_port_is_a_503(client, broker_url):
    broker_url(CLOSED_PORT_BROKER)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"].startswith("error: ")
    assert body["database"] == "ok"


def test_database_error_is_a_503(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise ConnectionRefusedError("database is down")

    monkeypatch.setattr(views, "connection", BrokenConnection())

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error: ConnectionRefusedError"


def test_healthz_is_get_only(client):
    assert client.post(reverse("healthz")).status_code == 405
