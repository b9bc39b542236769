from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from audit.chain import entry_hash


class AuditImmutableError(Exception):
    """Raised when code tries to change or delete an audit entry: the log is append-only."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("audit entries are immutable: they cannot be updated")

    def delete(self):
        raise AuditImmutableError("audit entries are immutable: they cannot be deleted")

    def for_object(self, obj: models.Model) -> "AuditEntryQuerySet":
        """The entries about one object, newest first."""
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))


class AuditEntry(models.Model):
    """One editorial action: who did what to which object, when, with the text before and after.

    Entries form a hash chain (see audit.chain): `hash` covers the fields below and `previous_hash`.
    The actor and target are hashed by name (username, "app_label.model"), not by database id, so
    the chain still verifies after an export and an import into another database.
    """

    sequence = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3…: gapless while nothing is deleted.")
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Username when recorded; blank: the system.")
    action = models.CharField(max_length=60, help_text='What was done, e.g. "article.publish".')
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_label = models.CharField(max_length=300, blank=True, help_text="The target as it read when recorded.")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64, unique=True, help_text="Unique: the chain cannot fork.")
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_entry_target"),
            models.Index(fields=["action", "-sequence"], name="audit_entry_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target_label}".strip()

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditImmutableError("audit entries are immutable: they cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("audit entries are immutable: they cannot be deleted")

    @property
    def target_model(self) -> str:
        """The target's model as "app_label.model"; blank without a target."""
        if self.target_type_id is None:
            return ""
        content_type = ContentType.objects.get_for_id(self.target_type_id)
        return f"{content_type.app_label}.{content_type.model}"

    def chain_fields(self) -> dict[str, Any]:
        """The fields the hash covers, as plain JSON values."""
        return {
            "sequence": self.sequence,
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": self.actor_name,
            "action": self.action,
            "target_model": self.target_model,
            "target_id": self.target_id,
            "target_label": self.target_label,
            "before": self.before,
            "after": self.after,
        }

    def compute_hash(self) -> str:
        """Return the hash this entry's stored fields and previous_hash call for."""
        return entry_hash(self.chain_fields(), self.previous_hash)
