import os

import pytest

os.environ.setdefault("DJANGO_DEBUG", "1")


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: the database is rolled back between tests, so must they be."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def live_redis(settings):
    """Make the default cache the machine's Redis (its last database, under a prefix of this run's own)."""
    import redis

    prefix = f"palimpsest-test-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # as in production
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    client = redis.Redis.from_url(REDIS_TEST_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def dead_redis(settings):
    """Make the default cache a Redis nobody listens for: every cache call fails to connect."""
    settings.CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
