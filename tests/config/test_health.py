"""/healthz: 200 when the database and the cache answer, 503 naming the one that is down."""

import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, connections
from redis.exceptions import ConnectionError as RedisConnectionError

pytestmark = pytest.mark.django_db


def test_healthy_answers_200_uncached_without_session(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1, nothing else
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_database_down_answers_503(client):
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("server closed")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "down", "cache": "ok"}


def test_cache_down_answers_503(client):
    with mock.patch.object(cache, "set", side_effect=RedisConnectionError("Connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "cache": "down"}


def test_cache_returning_something_else_is_down(client):
    with mock.patch.object(cache, "get", return_value=None):
        assert client.get("/healthz").status_code == 503


def test_unreachable_redis_answers_503(client, dead_redis):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["cache"] == "down"


def test_live_redis_answers_200(client, live_redis):
    response = client.get("/healthz")
    assert json.loads(response.content) == {"database": "ok", "cache": "ok"}


def test_only_safe_methods(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
