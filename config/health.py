"""`/healthz` for load balancers: is the database reachable, and the cache?

200 `{"database": "ok", "cache": "ok"}` when both answer, 503 with `"down"` for what does not.
No authentication, never cached, and no session or user lookup (the view reads neither).
"""

import logging
import secrets

from django.core.cache import cache
from django.db import Error as DatabaseError
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from archive.caching import CACHE_ERRORS

logger = logging.getLogger("palimpsest.health")

PROBE_KEY = "healthz:probe"


def database_ok() -> bool:
    """Return whether the default database answers `SELECT 1`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as exc:
        logger.warning("health: database down: %s", exc)
        return False


def cache_ok() -> bool:
    """Return whether the default cache stores and returns a fresh random value."""
    token = secrets.token_hex(8)
    try:
        cache.set(PROBE_KEY, token, timeout=30)
        return cache.get(PROBE_KEY) == token
    except CACHE_ERRORS as exc:
        logger.warning("health: cache down: %s", exc)
        return False


@never_cache
@require_safe
def healthz(request):
    """Answer 200 when the database and the cache work, 503 naming the one that is down."""
    checks = {"database": database_ok(), "cache": cache_ok()}
    return JsonResponse(
        {name: "ok" if ok else "down" for name, ok in checks.items()}, status=200 if all(checks.values()) else 503
    )
