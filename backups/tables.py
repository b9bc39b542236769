"""What an archive export holds: the tables in load order, and how one row becomes a JSON object and back.

Rows keep their primary keys (so URLs and annotation IRIs survive a restore). Users are written by
username and content types as "app_label.model", because their ids differ between databases. Binary
columns (the originals' bytes) are not in the rows: they are files named by their SHA-256.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

#: Apps whose every concrete model is either exported (TABLES) or rebuilt after an import (DERIVED).
ARCHIVE_APPS = ("archive", "annotations", "audit", "taggit")


@dataclass(frozen=True)
class Table:
    label: str
    #: A BinaryField kept as a file named by the value of `blob_name` (a SHA-256) instead of in the row.
    blob: str = ""
    blob_name: str = ""

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def path(self) -> str:
        return f"data/{self.label}.jsonl"


#: In load order; foreign keys among them are checked when the import commits (deferred constraints).
TABLES = (
    Table("archive.outlet"),
    Table("archive.article"),
    Table("archive.revision"),
    Table("archive.original", blob="content", blob_name="sha256"),
    Table("taggit.tag"),
    Table("taggit.taggeditem"),
    Table("annotations.entity"),
    Table("annotations.taggedentity"),
    Table("annotations.annotation"),
    Table("annotations.glossaryentry"),
    Table("annotations.correction"),
    Table("annotations.entitysuggestion"),
    Table("annotations.articlelink"),
    Table("annotations.externallink"),
    Table("audit.auditentry"),
)
#: Computed from the tables above; rebuilt after an import instead of being exported.
DERIVED = frozenset({"annotations.articlesearch"})
USERS_PATH = "data/users.jsonl"
ORIGINALS_DIR = "originals"


def is_user_key(field: models.Field) -> bool:
    return field.is_relation and field.many_to_one and field.related_model._meta.label == settings.AUTH_USER_MODEL


def is_content_type_key(field: models.Field) -> bool:
    return field.is_relation and field.many_to_one and field.related_model is ContentType


def row_fields(table: Table) -> list[models.Field]:
    """The concrete fields a row of `table` holds (without the blob)."""
    return [field for field in table.model._meta.concrete_fields if field.name != table.blob]


def encode(table: Table, obj: models.Model, username: Callable[[int], str]) -> dict[str, Any]:
    """Return `obj` as a JSON object: users by `username(id)`, content types by natural key."""
    row: dict[str, Any] = {}
    for field in row_fields(table):
        value = getattr(obj, field.attname)
        if value is None:
            row[_key(field)] = None
        elif is_user_key(field):
            row[field.name] = username(value)
        elif is_content_type_key(field):
            content_type = ContentType.objects.get_for_id(value)
            row[field.name] = f"{content_type.app_label}.{content_type.model}"
        elif isinstance(field, models.DateTimeField):
            row[field.attname] = value.astimezone(UTC).isoformat(timespec="microseconds")
        elif isinstance(field, models.DateField):
            row[field.attname] = value.isoformat()
        else:
            row[field.attname] = value
    return row


def decode(table: Table, row: dict[str, Any], user_id: Callable[[str], int]) -> models.Model:
    """Return an unsaved instance from a JSON object; raise KeyError naming an unknown field."""
    fields = {_key(field): field for field in row_fields(table)}
    values = {}
    for key, value in row.items():
        field = fields[key]
        if value is None:
            values[field.attname] = None
        elif is_user_key(field):
            values[field.attname] = user_id(value)
        elif is_content_type_key(field):
            values[field.attname] = ContentType.objects.get_by_natural_key(*value.split(".", 1)).pk
        else:
            values[field.attname] = field.to_python(value)
    return table.model(**values)


def _key(field: models.Field) -> str:
    """Users and content types go by name (field.name); other foreign keys by id (field.attname)."""
    return field.name if is_user_key(field) or is_content_type_key(field) else field.attname
