from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from annotations.models.annotation import Annotation
from archive.models import Article


class ArticleLink(models.Model):
    """A typed link from one archive article to another; the other side shows the reverse label."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow-up", "Follow-up"
        BACKGROUND = "background", "Background"
        SAME_EVENT = "same-event", "Same event"
        CONTRADICTS = "contradicts", "Contradicts"
        OTHER_VERSION = "other-version", "Other version"

    #: What the link reads as from the target's side.
    REVERSE_LABELS = {
        Kind.FOLLOW_UP: "Earlier coverage",
        Kind.BACKGROUND: "Background for",
        Kind.SAME_EVENT: "Same event",
        Kind.CONTRADICTS: "Contradicted by",
        Kind.OTHER_VERSION: "Other version",
    }

    source = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.CharField(max_length=500, blank=True)
    annotation = models.OneToOneField(
        Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="article_link"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="article_link_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="article_link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"

    @property
    def reverse_label(self) -> str:
        return self.REVERSE_LABELS[self.kind]


class ExternalLink(models.Model):
    """Coverage outside the archive, optionally anchored to a passage (a `linking` annotation)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="external_links")
    url = models.URLField(max_length=1000, validators=[URLValidator(schemes=["http", "https"])])
    title = models.CharField(max_length=300)
    outlet = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    published_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    annotation = models.OneToOneField(
        Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="external_link"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "pk"]

    def __str__(self) -> str:
        return self.title
