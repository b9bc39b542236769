"""Django's Redis cache backend, with each Redis client made once instead of for every call.

Django's backend builds a new `redis.Redis` client for each cache call, and redis-py fills a fresh
table of ~170 response callbacks for every client: about 125 µs of CPU per call, more than a cache
hit of a whole page costs otherwise (bench/README.md, "Performance"). A client is only a handle on
its connection pool, which Django keeps per backend instance (one per thread), so it is reused.
"""

from django.core.cache.backends import redis as django_redis


class ReusingClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingClientRedisCacheClient
