"""Login throttling against password guessing, shared by every app server through the cache (Redis).

Failed sign-ins are counted per username and per client address in a fixed window; reaching the
limit locks that username or address out for a while, correct password or not. Both the site's
sign-in page and the admin's use `ThrottledLoginFormMixin`. Limits: PALIMPSEST_LOGIN_* settings.
When the cache is down, sign-in still works unthrottled (logged): sessions live in the database.
"""

import hashlib
import logging
import math
import time

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache

from archive.caching import CACHE_ERRORS

logger = logging.getLogger("palimpsest.throttling")


def client_address(request) -> str:
    """Return the client's IP address, read through PALIMPSEST_TRUSTED_PROXIES reverse proxies."""
    proxies = settings.PALIMPSEST_TRUSTED_PROXIES
    if proxies:
        # Each trusted proxy appends the address it received from; earlier entries are the client's to forge.
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _scopes(username: str, address: str) -> list[tuple[str, int]]:
    """Return (cache key stem, failure limit) for the username and, when known, the address."""
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    scopes = [(f"login:user:{name}", settings.PALIMPSEST_LOGIN_FAILURES_PER_USERNAME)]
    if address:
        scopes.append((f"login:addr:{address}", settings.PALIMPSEST_LOGIN_FAILURES_PER_ADDRESS))
    return scopes


def login_lockout_remaining(*, username: str, address: str) -> int:
    """Return the seconds until this username and address may try to sign in again (0: now)."""
    try:
        unlocks = cache.get_many([f"{stem}:locked" for stem, _ in _scopes(username, address)]).values()
    except CACHE_ERRORS as exc:
        logger.warning("login throttling unavailable (cache down): %s", exc)
        return 0
    return max([0, *(math.ceil(unlock - time.time()) for unlock in unlocks)])


def login_failure_record(*, username: str, address: str) -> None:
    """Count a failed sign-in; lock the username or address out when it reaches its limit."""
    window, lockout = settings.PALIMPSEST_LOGIN_WINDOW_SECONDS, settings.PALIMPSEST_LOGIN_LOCKOUT_SECONDS
    try:
        for stem, limit in _scopes(username, address):
            cache.add(f"{stem}:failures", 0, timeout=window)
            try:
                failures = cache.incr(f"{stem}:failures")
            except ValueError:  # the window ended between add and incr
                failures = 1
                cache.set(f"{stem}:failures", failures, timeout=window)
            if failures >= limit:
                cache.set(f"{stem}:locked", time.time() + lockout, timeout=lockout)
                cache.delete(f"{stem}:failures")
                logger.warning("sign-in locked out for %ss after %s failures: %s", lockout, failures, stem)
    except CACHE_ERRORS as exc:
        logger.warning("login throttling unavailable (cache down): %s", exc)


def login_success_record(*, username: str) -> None:
    """Forget the username's failures after a correct sign-in (the address keeps its count)."""
    try:
        cache.delete(f"{_scopes(username, '')[0][0]}:failures")
    except CACHE_ERRORS as exc:
        logger.warning("login throttling unavailable (cache down): %s", exc)


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (
        "Too many failed sign-in attempts for this account or from this network. Signing in is paused: "
        f"try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


class ThrottledLoginFormMixin:
    """For AuthenticationForm subclasses: refuse while locked out, count failures, forget them on success."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request is not None else ""
        remaining = login_lockout_remaining(username=username, address=address)
        if remaining:
            raise forms.ValidationError(lockout_message(remaining), code="locked_out")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        if self.get_user() is not None:  # not merely a form without a password
            login_success_record(username=username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginFormMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginFormMixin, AdminAuthenticationForm):
    pass
