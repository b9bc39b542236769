"""Shared set-up for the benchmarks that need Django: a throwaway database, migrated."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/palimpsest_bench"


def setup_django() -> str:
    """Configure Django against $DATABASE_URL (default: a PostgreSQL bench database); return its vendor."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command
    from django.db import connection

    if connection_is_postgres():
        ensure_postgres_database(os.environ["DATABASE_URL"])
    django.setup()
    call_command("migrate", verbosity=0)
    return connection.vendor


def connection_is_postgres() -> bool:
    return os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://"))


def ensure_postgres_database(url: str) -> None:
    """Create the bench database when it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def empty_archive() -> None:
    """Remove every article, original and revision (bypassing the immutability guards on purpose)."""
    from django.db import connection

    tables = ["archive_original", "archive_revision", "archive_article"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            cursor.execute("UPDATE archive_article SET current_revision_id = NULL")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
