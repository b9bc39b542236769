"""Production settings: `check --deploy` is clean, connections persist, the CSP forbids inline code."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.csp import policy_header

ROOT = Path(__file__).resolve().parent.parent.parent


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with production-like variables, plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    production = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "archive.example.org",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://archive.example.org",
        "DATABASE_URL": "postgres://palimpsest:secret@db.example.org:5432/palimpsest",
        "REDIS_URL": "redis://cache.example.org:6379/0",
        "PALIMPSEST_VAR_DIR": str(tmp_path),
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | production | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_has_no_warnings_in_production(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_catch_a_weakened_setting(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={"DJANGO_HSTS_SECONDS": "0"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_production_keeps_health_checked_connections_and_shares_redis(tmp_path):
    script = (
        "from django.conf import settings as s; d = s.DATABASES['default']; c = s.CACHES['default'];"
        "print(s.DEBUG, d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['OPTIONS']['connect_timeout'],"
        " c['BACKEND'], c['LOCATION'], s.PALIMPSEST_PAGE_CACHE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = manage("shell", "--no-imports", "-c", script, env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "600",
        "True",
        "5",
        "config.cache.RedisCache",
        "redis://cache.example.org:6379/0",
        "True",
        "True",
        "True",
    ]


def test_without_redis_production_uses_local_memory_and_no_page_cache(tmp_path):
    script = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.PALIMPSEST_PAGE_CACHE)"
    result = manage("shell", "--no-imports", "-c", script, env={"REDIS_URL": ""}, tmp_path=tmp_path)
    assert result.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "False"], result.stderr


@pytest.mark.django_db
def test_every_response_carries_a_policy_without_inline_code(client):
    header = client.get("/healthz")["Content-Security-Policy"]
    assert header == policy_header(settings.SECURE_CSP)
    directives = dict(part.split(" ", 1) for part in header.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in header and directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_policy_is_report_only_in_debug_so_the_debug_page_still_renders(client, settings):
    settings.DEBUG = True
    response = client.get("/healthz")
    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"] == policy_header(settings.SECURE_CSP)


INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


@pytest.mark.django_db
def test_admin_login_works_under_the_policy(client):
    response = client.get("/admin/login/")
    html = response.content.decode()
    assert response.status_code == 200 and "Content-Security-Policy" in response
    assert 'name="password"' in html
    assert not INLINE_CODE.findall(html)


def test_no_template_of_ours_has_inline_script_or_style():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in INLINE_CODE.finditer(path.read_text())
    ]
    assert offenders == []
