"""Django's Redis cache backend, with each Redis client made once, and counters that announce their changes.

Django's backend builds a new `redis.Redis` client for each cache call, and redis-py fills a fresh
table of ~170 response callbacks for every client: about 125 µs of CPU per call, more than a cache
hit of a whole page costs otherwise (bench/README.md, "Performance"). A client is only a handle on
its connection pool, which Django keeps per backend instance (one per thread), so it is reused.

`bump_and_announce` and `announcements` let every process keep counters it read in memory until
one changes (archive/version_watch.py): the change and its announcement are one Redis script, so
no counter moves without its announcement being sent.
"""

from collections.abc import Iterator

from django.core.cache.backends import redis as django_redis

# Increment the counter, or start it at ARGV[1] when it is missing (evicted, or never set), and
# publish its name (ARGV[3]) on the channel (ARGV[2]): both or neither, as one script.
BUMP_AND_ANNOUNCE = """
local value
if redis.call('EXISTS', KEYS[1]) == 1 then
  value = redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
  value = ARGV[1]
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return value
"""

#: Seconds `announcements` waits for a message before looking at whether it is to stop.
POLL_SECONDS = 1.0


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

    def bump_and_announce(self, key: str, *, initial: int, channel: str) -> int:
        """Increment the integer under `key` (or set it to `initial`) and publish `key` on `channel`."""
        stored = self.make_and_validate_key(key)
        client = self._cache.get_client(stored, write=True)
        return int(client.eval(BUMP_AND_ANNOUNCE, 1, stored, initial, self.make_key(channel), key))

    def announcements(self, channel: str, stopping) -> Iterator[str | None]:
        """Yield None once subscribed to `channel`, then each key announced on it, until `stopping()`.

        Raises the connection's error when the subscription is lost: what was announced meanwhile is lost.
        """
        pubsub = self._cache.get_client(write=False).pubsub()
        try:
            pubsub.subscribe(self.make_key(channel))
            while not stopping():
                message = pubsub.get_message(timeout=POLL_SECONDS)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    yield None
                elif message["type"] == "message":
                    yield message["data"].decode()
        finally:
            pubsub.close()
