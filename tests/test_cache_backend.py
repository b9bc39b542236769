"""config.cache.RedisCache: Django's Redis backend, its clients made once per backend instance."""

import threading

import pytest
from django.core.cache import cache, caches


def test_one_client_serves_every_call_of_a_thread_and_behaves_as_djangos(live_redis):
    first = cache._cache.get_client("a")
    cache.set("palimpsest-test-key", {"page": b"x" * 10}, timeout=30)
    assert cache.get("palimpsest-test-key") == {"page": b"x" * 10}
    assert cache.add("palimpsest-test-counter", 41) and cache.incr("palimpsest-test-counter") == 42
    assert cache.get_many(["palimpsest-test-counter", "absent"]) == {"palimpsest-test-counter": 42}
    cache.delete("palimpsest-test-key")
    assert cache.get("palimpsest-test-key") is None
    assert cache._cache.get_client("b") is first and cache._cache.get_client("c", write=True) is first


def test_each_thread_has_its_own_backend_and_client(live_redis):
    clients = []

    def use_cache():
        caches["default"].set("palimpsest-test-thread", 1)
        clients.append(caches["default"]._cache.get_client())
        caches["default"].close()

    thread = threading.Thread(target=use_cache)
    thread.start()
    thread.join()
    assert clients and clients[0] is not cache._cache.get_client()


def test_a_dead_redis_still_raises_connection_errors(dead_redis):
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        cache.get("anything")
