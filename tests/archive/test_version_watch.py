"""archive.version_watch: versions kept in memory until Redis announces a change, and never a stale one."""

import time

import pytest
from django.core.cache import cache, caches
from redis.exceptions import ConnectionError as RedisConnectionError

from archive import caching
from archive.version_watch import CHANNEL, VersionWatch


def eventually(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def watch(live_redis):
    watching = VersionWatch()
    watching.start(caches.create_connection("default"))
    assert eventually(lambda: watching.listening), "the watch never subscribed"
    yield watching
    watching.stop()


def raw_set(key: str, value: int) -> None:
    """Change a version behind the watch's back: no announcement."""
    cache._cache.get_client(write=True).set(cache.make_and_validate_key(key), value)


def test_a_known_version_is_kept_until_an_announcement_names_it(watch):
    cache.set("pages:v:test-a", 5, timeout=None)
    assert watch.version("pages:v:test-a") == 5
    raw_set("pages:v:test-a", 6)
    assert watch.version("pages:v:test-a") == 5  # from memory: no read
    other_server = caches.create_connection("default")
    assert other_server.bump_and_announce("pages:v:test-a", initial=1, channel=CHANNEL) == 7
    assert eventually(lambda: watch.version("pages:v:test-a") == 7)


def test_bumping_starts_a_missing_version_and_always_announces(live_redis):
    pubsub = cache._cache.get_client().pubsub()
    pubsub.subscribe(cache.make_key(CHANNEL))
    assert cache.bump_and_announce("pages:v:test-b", initial=2**40, channel=CHANNEL) == 2**40
    assert cache.bump_and_announce("pages:v:test-b", initial=3, channel=CHANNEL) == 2**40 + 1
    messages = []
    while len(messages) < 3:
        message = pubsub.get_message(timeout=2)
        assert message is not None, messages
        messages.append(message)
    pubsub.close()
    assert [m["data"] for m in messages if m["type"] == "message"] == [b"pages:v:test-b"] * 2


def test_without_a_subscription_every_version_is_read(watch):
    cache.set("pages:v:test-c", 1, timeout=None)
    assert watch.version("pages:v:test-c") == 1
    watch.stop()
    raw_set("pages:v:test-c", 2)
    assert not watch.listening and watch.version("pages:v:test-c") == 2


def test_a_read_that_races_an_announcement_is_not_kept(watch, monkeypatch):
    cache.set("pages:v:test-d", 1, timeout=None)
    read = cache.get

    def read_then_announced(key, *args):
        value = read(key, *args)
        watch.forget([key])  # the announcement of a bump lands while our read's answer is on its way
        return value

    monkeypatch.setattr(cache, "get", read_then_announced)
    assert watch.version("pages:v:test-d") == 1
    monkeypatch.undo()
    raw_set("pages:v:test-d", 2)
    assert watch.version("pages:v:test-d") == 2


def test_a_lost_subscription_forgets_everything_and_reconnects(monkeypatch, caplog):
    monkeypatch.setattr("archive.version_watch.RETRY_SECONDS", 0.01)
    attempts = []

    class FlakyBackend:
        def announcements(self, channel, stopping):
            attempts.append(channel)
            if len(attempts) in (2, 3):  # Redis still down: the outage is logged once
                raise RedisConnectionError("connection refused")
            yield None
            if len(attempts) == 1:
                raise RedisConnectionError("connection reset")
            while not stopping():
                time.sleep(0.01)

    watching = VersionWatch()
    watching._known["pages:v:old"] = 1
    watching.start(FlakyBackend())
    try:
        assert eventually(lambda: len(attempts) >= 4 and watching.listening)
        assert "pages:v:old" not in watching._known
        assert caplog.text.count("subscription lost") == 1 and "subscribed again" in caplog.text
    finally:
        watching.stop()


@pytest.mark.django_db
def test_the_page_cache_announces_every_bump(live_redis):
    pubsub = cache._cache.get_client().pubsub()
    pubsub.subscribe(cache.make_key(CHANNEL))
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"
    caching.archive_changed()
    message = pubsub.get_message(timeout=2)
    pubsub.close()
    assert message["type"] == "message" and message["data"] == caching.LIST_VERSION_KEY.encode()
