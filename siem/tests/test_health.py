import pytest
from django.db import OperationalError


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError("(2002) Can't connect to MySQL server on '127.0.0.1'")


@pytest.mark.django_db
def test_health_reports_database_ok(api_client):
    response = api_client.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_needs_no_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer revoked-or-garbage")

    response = api_client.get("/api/health")

    assert response.status_code == 200


def test_health_reports_unreachable_database(api_client, monkeypatch):
    monkeypatch.setattr("siem.views.connection", UnreachableDatabase())

    response = api_client.get("/api/health")

    assert response.status_code == 503
    assert response.json() == {
        "message": "Database unavailable",
        "status": "unavailable",
        "database": "unavailable",
    }
