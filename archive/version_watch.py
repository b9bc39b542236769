"""The page versions this process knows, kept current by the announcements writers publish on Redis.

A page served from a process's memory must still be current: reading its version from Redis for
every hit costs a round trip, a fifth of what a hit costs on the whole machine (bench/README.md,
"Performance"). Instead each process subscribes to the channel on which every version bump is
announced (`config.cache.RedisCache.bump_and_announce`, one script: no bump goes unannounced) and
keeps each version it read until an announcement names it. Only while the subscription is confirmed:
before that, after a lost connection (announcements made meanwhile are lost, so everything known is
forgotten) or without Redis, every read goes to the cache, as it always did.

A read that raced an announcement is not kept: each announcement starts a new generation, and a
value read in an older generation may predate the bump it announced.
"""

import logging
import os
import threading

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches

logger = logging.getLogger("palimpsest.caching")

CHANNEL = "pages:changed"
RETRY_SECONDS = 1.0


class VersionWatch:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, int] = {}
        self._generation = 0
        self._listening = False
        self._stop = threading.Event()
        self._pid: int | None = None

    @property
    def listening(self) -> bool:
        return self._listening

    def version(self, key: str) -> int | None:
        """The current version under `key`: from memory while listening and known, else read from the cache."""
        if not self._listening:
            return cache.get(key)
        known = self._known.get(key)
        if known is not None:
            return known
        generation = self._generation
        value = cache.get(key)
        if value is not None:
            with self._lock:
                if self._listening and generation == self._generation:
                    self._known[key] = value
        return value

    def forget(self, keys) -> None:
        """Forget these keys' versions (announced as changed, or changed by this process)."""
        with self._lock:
            self._generation += 1
            for key in keys:
                self._known.pop(key, None)

    def _forget_everything(self, *, listening: bool) -> None:
        with self._lock:
            self._generation += 1
            self._known.clear()
            self._listening = listening

    def ensure_watching(self) -> None:
        """Start listening in this process, once (gunicorn forks workers after loading the app)."""
        if self._pid == os.getpid() or not settings.PALIMPSEST_VERSION_WATCH:
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
        self.start(caches.create_connection(DEFAULT_CACHE_ALIAS))

    def start(self, backend) -> None:
        """Listen to `backend`'s announcements in a daemon thread, reconnecting until `stop()`."""
        if not hasattr(backend, "announcements"):
            return
        self._stop.clear()
        threading.Thread(target=self._listen, args=(backend,), name="page-version-watch", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._forget_everything(listening=False)

    def _listen(self, backend) -> None:
        failing = False  # log an outage once, not at every retry
        while not self._stop.is_set():
            try:
                for key in backend.announcements(CHANNEL, self._stop.is_set):
                    if key is None:  # subscribed: from now on no announcement is missed
                        self._forget_everything(listening=True)
                        if failing:
                            logger.warning("page versions: subscribed again")
                        failing = False
                    else:
                        self.forget([key])
            except Exception as exc:  # noqa: BLE001 - whatever broke the subscription, reads go to the cache
                if not failing:
                    logger.warning("page versions: subscription lost, reading every version from the cache: %s", exc)
                failing = True
            self._forget_everything(listening=False)
            self._stop.wait(RETRY_SECONDS)


#: This process's watch, started by the first request a worker serves (archive.caching.PageCacheMiddleware).
version_watch = VersionWatch()
