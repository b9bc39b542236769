import hashlib
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from archive.blocks import READER_KINDS, Block, BlockSpan, block_spans, blocks_from_dicts, canonical_text


class ImmutableError(Exception):
    """Raised when code tries to change or delete a record that is kept forever."""


class Outlet(models.Model):
    name = models.CharField(max_length=200, unique=True)
    homepage = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        return self.filter(status=Article.Status.PUBLISHED)

    def visible_to(self, user) -> "ArticleQuerySet":
        """Drafts are for people who may edit the archive; readers see published articles."""
        if user.is_authenticated and user.has_perm("archive.view_article"):
            return self.all()
        return self.published()


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class DatePrecision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"
        UNKNOWN = "unknown", "Unknown"

    slug = models.SlugField(max_length=120, unique=True)
    headline = models.CharField(max_length=500)
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    source_url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=16, default="en", help_text="Language of the text as stored.")
    original_language = models.CharField(
        max_length=16, blank=True, help_text="Language the article was translated from; blank if unknown."
    )
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, help_text="When readers could first see it.")
    current_revision = models.ForeignKey("Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    tags = TaggableManager(blank=True, help_text="Topics, e.g. elections, protests.")
    # Declared by name so the archive never imports the annotations app, which owns the through model.
    entities = TaggableManager(
        through="annotations.TaggedEntity", blank=True, related_name="articles", verbose_name="entities"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        permissions = [("publish_article", "Can publish and unpublish articles")]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_status_published")]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_on__isnull=True, published_on_precision="unknown")
                | Q(published_on__isnull=False) & ~Q(published_on_precision="unknown"),
                name="article_date_precision_matches_date",
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("archive:article_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class OriginalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("originals are immutable: they cannot be updated")

    def delete(self):
        raise ImmutableError("originals are immutable: they cannot be deleted")


class Original(models.Model):
    """The exact bytes of an imported file, kept forever and provable by their SHA-256."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="originals")
    content = models.BinaryField()
    filename = models.CharField(max_length=255)
    encoding = models.CharField(max_length=40, help_text="Encoding detected when the file was imported.")
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_notes = models.JSONField(default=list, blank=True, help_text="What the importer cleaned up.")

    objects = OriginalQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("originals are immutable: they cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("originals are immutable: they cannot be deleted")

    @staticmethod
    def checksum(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def is_intact(self) -> bool:
        """Return whether the stored bytes still have the SHA-256 recorded at import."""
        return self.checksum(bytes(self.content)) == self.sha256

    @cached_property
    def text(self) -> str:
        """The bytes decoded as at import; undecodable bytes (tampering) show as U+FFFD."""
        return bytes(self.content).decode(self.encoding, errors="replace")


class Revision(models.Model):
    """One immutable state of an article's text: numbered, attributed and linked to its parent."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    blocks = models.JSONField(help_text='Typed blocks: [{"kind": "paragraph", "text": "…"}, …]')
    text = models.TextField(editable=False, help_text="Canonical text: the blocks joined by a blank line.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique_per_article"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("revisions are immutable: make a new revision instead")
        self.text = canonical_text(self.block_list)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("revisions are immutable: history is never rewritten")

    @cached_property
    def block_list(self) -> list[Block]:
        return blocks_from_dicts(self.blocks)

    @cached_property
    def spans(self) -> list[BlockSpan]:
        """Offsets of every block within `text`."""
        return block_spans(self.block_list)

    def reader_blocks(self) -> list[tuple[BlockSpan, Block]]:
        """The blocks readers see (no teasers or site furniture), with their offsets."""
        return [
            (span, block) for span, block in zip(self.spans, self.block_list, strict=True) if block.kind in READER_KINDS
        ]
