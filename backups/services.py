"""Exporting the whole archive to a directory of checksummed files, and importing it into an empty database.

Layout of an export (all text UTF-8, one JSON object per line, keys sorted, rows by primary key):

    manifest.json                 format, version, time, row counts, SHA-256 and size of every data file
    data/<app>.<model>.jsonl      one file per table (backups.tables.TABLES)
    data/users.jsonl              the usernames the rows refer to
    originals/<sha256>            the exact bytes of every original, named by their own SHA-256

Two exports of the same data are byte-identical except `exported_at` in the manifest.
"""

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from annotations.search import search_index_rebuild
from archive.models import Original
from audit.services import audit_verify
from backups.tables import ORIGINALS_DIR, TABLES, USERS_PATH, Table, decode, encode

FORMAT = "palimpsest-archive"
VERSION = 1
MANIFEST = "manifest.json"
BATCH = 500
#: Originals are up to a few MB each: fetch few at a time so memory stays bounded.
ORIGINALS_BATCH = 16
READ_CHUNK = 1 << 20


class BackupError(ValueError):
    """An export or import that cannot be done; the message says why and what to do."""


@dataclass
class Summary:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    originals_bytes: int = 0
    users_created: int = 0

    def __str__(self) -> str:
        tables = ", ".join(f"{label} {count}" for label, count in self.rows.items())
        return f"{tables}; originals {self.originals_bytes:,} bytes"


def dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class JsonLines:
    """A JSON Lines file being written, with its row count, size and SHA-256 kept as it grows."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest, self.rows, self.bytes = stream, hashlib.sha256(), 0, 0

    def write(self, row: dict) -> None:
        line = dumps(row) + b"\n"
        self.stream.write(line)
        self.digest.update(line)
        self.rows += 1
        self.bytes += len(line)

    def entry(self) -> dict:
        return {"rows": self.rows, "bytes": self.bytes, "sha256": self.digest.hexdigest()}


# --- export -------------------------------------------------------------------------------------------


def archive_export(*, output: Path, progress: Callable[[str, int], None] | None = None) -> Summary:
    """Write the whole archive to the new directory `output`; return what was written.

    Reads one consistent snapshot (REPEATABLE READ on PostgreSQL; SQLite holds its write lock meanwhile).
    Writes into a temporary sibling and renames it at the end, so a failed export leaves nothing behind.
    Raises BackupError when `output` exists or an original no longer matches its SHA-256.
    """
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists: give a new directory name")
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.partial-", dir=output.parent))
    try:
        with _snapshot():
            summary, files = _write_all(work, progress)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(timespec="seconds"),
            "rows": summary.rows,
            "originals": {"directory": ORIGINALS_DIR, "named_by": "sha256", "bytes": summary.originals_bytes},
            "files": files,
        }
        (work / MANIFEST).write_bytes(json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n")
        work.rename(output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    summary.path = output
    return summary


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction for the whole read, so rows written meanwhile cannot half-appear."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _write_all(work: Path, progress) -> tuple[Summary, dict[str, dict]]:
    (work / "data").mkdir()
    (work / ORIGINALS_DIR).mkdir()
    usernames = dict(get_user_model().objects.values_list("pk", "username"))
    referenced: set[str] = set()

    def username(pk: int) -> str:
        referenced.add(usernames[pk])
        return usernames[pk]

    summary, files = Summary(work), {}
    for table in TABLES:
        with (work / table.path).open("wb") as stream:
            lines = JsonLines(stream)
            for obj in _rows(table):
                lines.write(encode(table, obj, username))
                if table.blob:
                    summary.originals_bytes += _write_blob(work, table, obj)
        summary.rows[table.label] = lines.rows
        files[table.path] = lines.entry()
        if progress:
            progress(table.label, lines.rows)
    with (work / USERS_PATH).open("wb") as stream:
        lines = JsonLines(stream)
        for name in sorted(referenced):
            lines.write({"username": name})
    summary.rows["users"] = lines.rows
    files[USERS_PATH] = lines.entry()
    return summary, files


def _rows(table: Table) -> Iterator[models.Model]:
    rows = table.model._base_manager.order_by("pk")
    return rows.iterator(chunk_size=ORIGINALS_BATCH if table.blob else BATCH * 4)


def _write_blob(work: Path, table: Table, obj: models.Model) -> int:
    data, name = bytes(getattr(obj, table.blob)), getattr(obj, table.blob_name)
    if hashlib.sha256(data).hexdigest() != name:
        raise BackupError(
            f"{table.label} {obj.pk}: its bytes no longer match their SHA-256 {name}; "
            "run `manage.py verify_originals` and restore that original before exporting"
        )
    (work / ORIGINALS_DIR / name).write_bytes(data)
    return len(data)


# --- import -------------------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the import transaction to roll back a dry run."""


def archive_import(
    *, source: Path, dry_run: bool = False, progress: Callable[[str, int], None] | None = None
) -> Summary:
    """Load an export into an empty archive, all or nothing; return what was loaded.

    Every checksum is verified before anything is written; rows keep their primary keys; users are
    matched by username and missing ones created inactive, without a usable password. With `dry_run`
    everything is loaded and then rolled back. Raises BackupError naming the first problem.
    """
    source = Path(source)
    manifest = read_manifest(source)
    verify_files(source, manifest)
    _check_empty()
    summary = Summary(source)
    try:
        with transaction.atomic(), _timestamps_as_given():
            summary.users_created, user_id = _load_users(source)
            for table in TABLES:
                summary.rows[table.label] = _load_table(source, table, user_id, summary)
                if progress:
                    progress(table.label, summary.rows[table.label])
            _finish(manifest, summary)
            if dry_run:
                raise _DryRun
            transaction.on_commit(search_index_rebuild)
    except _DryRun:
        pass
    return summary


def read_manifest(source: Path) -> dict:
    """Return the manifest of the export in `source`; raise BackupError unless it is one this version reads."""
    try:
        manifest = json.loads((source / MANIFEST).read_bytes())
    except FileNotFoundError as exc:
        raise BackupError(f"{source} has no {MANIFEST}: it is not an archive export") from exc
    except ValueError as exc:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{source / MANIFEST} is not a {FORMAT} export of version {VERSION}")
    expected = {table.path for table in TABLES} | {USERS_PATH}
    if set(manifest.get("files", {})) != expected:
        raise BackupError(f"{source / MANIFEST} does not list the data files this version expects")
    return manifest


def verify_files(source: Path, manifest: dict) -> None:
    """Check every data file against its size and SHA-256, and every original against its name."""
    for name, expected in sorted(manifest["files"].items()):
        path = source / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from {source}")
        if path.stat().st_size != expected["bytes"] or sha256_file(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match the SHA-256 in the manifest: the export is damaged")
    originals = source / ORIGINALS_DIR
    count = 0
    for row in _lines(source, Table("archive.original")):
        path = originals / row["sha256"]
        if not path.is_file():
            raise BackupError(f"{ORIGINALS_DIR}/{row['sha256']} (original {row['id']}) is missing")
        if path.stat().st_size != row["size"] or sha256_file(path) != row["sha256"]:
            raise BackupError(f"{ORIGINALS_DIR}/{row['sha256']} does not hash to its name: the original is damaged")
        count += 1
    extra = sum(1 for _ in os.scandir(originals)) - count if originals.is_dir() else 0
    if extra:
        raise BackupError(f"{ORIGINALS_DIR}/ holds {extra} file(s) that no original refers to")


def _check_empty() -> None:
    filled = [f"{table.label} ({count})" for table in TABLES if (count := table.model._base_manager.count())]
    if filled:
        raise BackupError(
            "the database already holds archive data: "
            + ", ".join(filled)
            + ". import_archive only loads into an empty archive: create a new database and run migrate first."
        )


def _lines(source: Path, table: Table | str) -> Iterator[dict]:
    path = source / (table if isinstance(table, str) else table.path)
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise BackupError(f"{path.name} line {number}: not JSON ({exc})") from exc


def _load_users(source: Path) -> tuple[int, Callable[[str], int]]:
    """Create the missing users (inactive, no usable password); return how many and a username → id lookup."""
    User = get_user_model()
    names = [row["username"] for row in _lines(source, USERS_PATH)]
    ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    missing = [User(username=name, is_active=False) for name in names if name not in ids]
    for user in missing:
        user.set_unusable_password()
    User.objects.bulk_create(missing)
    ids |= dict(User.objects.filter(username__in=names).values_list("username", "pk"))

    def user_id(name: str) -> int:
        try:
            return ids[name]
        except KeyError:
            raise BackupError(f"a row refers to user {name!r}, who is not in {USERS_PATH}") from None

    return len(missing), user_id


def _load_table(source: Path, table: Table, user_id: Callable[[str], int], summary: Summary) -> int:
    size = ORIGINALS_BATCH if table.blob else BATCH
    batch, count = [], 0
    for number, row in enumerate(_lines(source, table), start=1):
        try:
            obj = decode(table, row, user_id)
        except KeyError as exc:
            raise BackupError(f"{table.path} line {number}: unknown field {exc} (made by a newer version?)") from exc
        if table.blob:
            data = (source / ORIGINALS_DIR / row[table.blob_name]).read_bytes()
            if Original.checksum(data) != row[table.blob_name]:
                raise BackupError(f"{ORIGINALS_DIR}/{row[table.blob_name]} changed while it was being imported")
            setattr(obj, table.blob, data)
            summary.originals_bytes += len(data)
        batch.append(obj)
        if len(batch) >= size:
            count += _insert(table, batch)
    return count + _insert(table, batch)


def _insert(table: Table, batch: list[models.Model]) -> int:
    if batch:
        table.model._base_manager.bulk_create(batch)
    count = len(batch)
    batch.clear()
    return count


def _finish(manifest: dict, summary: Summary) -> None:
    """Check references, counts and the audit chain inside the transaction; move id sequences past the rows."""
    try:
        connection.check_constraints(table_names=[table.model._meta.db_table for table in TABLES])
    except IntegrityError as exc:
        raise BackupError(f"the export refers to rows it does not hold: {exc}") from exc
    for label, count in summary.rows.items():
        if manifest["rows"].get(label) != count:
            raise BackupError(f"{label}: {count} rows loaded, the manifest says {manifest['rows'].get(label)}")
    problems = audit_verify()
    if problems:
        raise BackupError(f"the audit log in the export does not verify: {problems[0]}")
    statements = connection.ops.sequence_reset_sql(no_style(), [table.model for table in TABLES])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextmanager
def _timestamps_as_given() -> Iterator[None]:
    """Let bulk inserts keep the exported created/updated times instead of auto_now/auto_now_add stamping now.

    Flips the fields' flags for the duration; meant for the import command, not for a serving process.
    """
    stamped = [
        stamp
        for table in TABLES
        for stamp in table.model._meta.concrete_fields
        if getattr(stamp, "auto_now", False) or getattr(stamp, "auto_now_add", False)
    ]
    saved = [(stamp, stamp.auto_now, stamp.auto_now_add) for stamp in stamped]
    for stamp in stamped:
        stamp.auto_now = stamp.auto_now_add = False
    try:
        yield
    finally:
        for stamp, auto_now, auto_now_add in saved:
            stamp.auto_now, stamp.auto_now_add = auto_now, auto_now_add
