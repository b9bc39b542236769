"""Two app servers (two gunicorn processes on their own ports) sharing PostgreSQL and Redis.

A correction accepted through server A is on server B's public page at once, although B had the
page cached: invalidation reaches every app server. The servers run the production settings
(DEBUG off, Redis cache, persistent connections) against this test's database.
"""

import os
import pickle
import re

import pytest
import redis
from django.db import connection

from annotations.services.corrections import correction_propose
from bench._server import Client, Gunicorn, collectstatic, follow, production_env
from tests.factories import import_seed, make_member

REDIS_URL = "redis://127.0.0.1:6379/15"  # the tests' Redis database (tests/conftest.py)
PASSWORD = "a-long-test-password"  # tests/factories.py


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def skip_reason() -> str:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: two gunicorn processes share the test database (DATABASE_URL=postgres://…)"
    if os.environ.get("CI") != "true" and not redis_reachable():
        return f"needs Redis at {REDIS_URL} (CI=true makes this a failure instead)"
    return ""


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(bool(skip_reason()), reason=skip_reason() or "-"),
    # Committed data, so the gunicorn processes see it; the migrations' rows come back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def database_url() -> str:
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def servers():
    """Servers A and B on free loopback ports, stopped whatever happens; their Redis keys removed after."""
    env = production_env(database_url=database_url(), redis_url=REDIS_URL, GUNICORN_WORKERS="2", GUNICORN_THREADS="2")
    collectstatic(env)
    a, b = Gunicorn(env, name="server-a"), Gunicorn(env, name="server-b")
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()
        store = redis.Redis.from_url(REDIS_URL)
        keys = list(store.scan_iter("palimpsest:*"))
        if keys:
            store.delete(*keys)


def body_of(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status == 200, response.text[:500]
    return response.text


def test_a_correction_accepted_through_one_server_shows_at_once_through_the_other(servers):
    a, b = servers
    article = import_seed()
    editor, reviewer = make_member("two-editor", "Editor"), make_member("two-reviewer", "Reviewer")
    start = article.current_revision.text.index("Belchett")
    correction = correction_propose(
        article=article, proposer=editor, span=(start, start + 8), replacement="Bachelet", category="terminology"
    )
    page = article.get_absolute_url()
    reader_a, reader_b = Client(a.base), Client(b.base)
    for reader in (reader_a, reader_b, reader_a, reader_b):  # each server renders, then serves its cached copy
        seen = body_of(reader, page)
        assert "Michelle Belchett" in seen and "Bachelet" not in seen
    shared_copy = f"palimpsest:1:pages:page:{page}?"  # one copy for both servers, whatever the host
    assert redis.Redis.from_url(REDIS_URL).exists(shared_copy), "the servers did not share the page"

    through_a = Client(a.base)
    through_a.login(reviewer.username, PASSWORD)
    response = through_a.post_form(
        "/editor/review/", [("corrections", correction.pk), ("decision", "accept"), ("next", "/editor/")]
    )
    assert response.status == 302
    assert re.search(r"1 correction\(s\) accepted as revision 2", follow(through_a, response).text)

    corrected = re.compile(r'Michelle <ins class="correction"[^>]*>Bachelet</ins>')
    # Server A rendered the corrected page into Redis when the acceptance committed, before B was asked.
    assert corrected.search(pickle.loads(redis.Redis.from_url(REDIS_URL).get(shared_copy)).body.decode())  # noqa: S301
    seen_on_b = body_of(reader_b, page)
    assert corrected.search(seen_on_b) and "Michelle Belchett" not in seen_on_b
    assert corrected.search(body_of(reader_a, page))
