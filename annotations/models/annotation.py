import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from annotations.anchoring import Selectors
from archive.models import Article, Revision

#: Longest annotation body accepted (characters); the API answers 400 beyond it.
MAX_BODY_CHARS = 20_000


def new_canonical_iri() -> str:
    """A fresh `urn:uuid:` IRI: the W3C `canonical` of an annotation that came without one."""
    return f"urn:uuid:{uuid.uuid4()}"


class AnnotationQuerySet(models.QuerySet):
    def public(self) -> "AnnotationQuerySet":
        """Public annotations of published articles: what anyone may read."""
        return self.filter(visibility=Annotation.Visibility.PUBLIC, article__status=Article.Status.PUBLISHED)

    def visible_to(self, user) -> "AnnotationQuerySet":
        """Editors see editors' and public annotations and their own private ones; others see public ones."""
        if not (user.is_authenticated and user.has_perm("annotations.view_annotation")):
            return self.public()
        return self.filter(~Q(visibility=Annotation.Visibility.PRIVATE) | Q(creator=user))

    def top_level(self) -> "AnnotationQuerySet":
        return self.filter(parent__isnull=True)

    def in_text_order(self) -> "AnnotationQuerySet":
        return self.order_by("start", "end", "pk")


class Annotation(models.Model):
    """A W3C Web Annotation on a span of an article's text (or, for a reply, on another annotation)."""

    class Motivation(models.TextChoices):
        COMMENTING = "commenting", "Comment"
        QUESTIONING = "questioning", "Question"
        HIGHLIGHTING = "highlighting", "Highlight"
        EDITING = "editing", "Correction"
        IDENTIFYING = "identifying", "Entity mention"
        TAGGING = "tagging", "Tag"
        LINKING = "linking", "Link"
        REPLYING = "replying", "Reply"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Only me"
        EDITORS = "editors", "Editors"
        PUBLIC = "public", "Public"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Anchoring(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        MOVED = "moved", "Moved"
        NEEDS_REVIEW = "needs_review", "Needs review"
        ORPHANED = "orphaned", "Orphaned"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotations")
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="annotations", help_text="The revision the selectors describe."
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies", help_text="Set on replies."
    )
    motivation = models.CharField(max_length=16, choices=Motivation.choices, default=Motivation.COMMENTING)
    entity = models.ForeignKey(
        "annotations.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentions",
        help_text="For identifying/tagging annotations: the entity the passage mentions.",
    )
    body_value = models.TextField(blank=True)
    body_format = models.CharField(max_length=40, default="text/plain")
    body_language = models.CharField(max_length=16, blank=True)
    # TextQuoteSelector
    exact = models.TextField(blank=True)
    prefix = models.TextField(blank=True)
    suffix = models.TextField(blank=True)
    # TextPositionSelector over revision.text; the last known place when orphaned
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    anchor_state = models.CharField(max_length=12, choices=Anchoring.choices, default=Anchoring.ANCHORED)
    anchor_strategy = models.CharField(max_length=12, blank=True)
    anchor_score = models.FloatField(null=True, blank=True)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.EDITORS)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change; the ETag is built from it.")
    canonical = models.CharField(
        max_length=500,
        unique=True,
        default=new_canonical_iri,
        editable=False,
        help_text="The W3C canonical IRI: kept across systems, exports and imports; never changes.",
    )

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "end", "pk"]
        indexes = [
            models.Index(fields=["article", "visibility"], name="annotation_article_visibility"),
            models.Index(fields=["anchor_state"], name="annotation_anchor_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(start__isnull=False, end__isnull=False),
                name="annotation_has_a_target",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__gte=models.F("start")), name="annotation_span_ordered"
            ),
        ]

    def __str__(self) -> str:
        target = f"“{self.exact[:40]}”" if self.exact else f"reply to {self.parent_id}"
        return f"{self.get_motivation_display()} on {target}"

    def get_absolute_url(self) -> str:
        return reverse("annotations:annotation", kwargs={"pk": self.pk})

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def is_orphaned(self) -> bool:
        return self.anchor_state == self.Anchoring.ORPHANED

    @property
    def selectors(self) -> Selectors | None:
        """The W3C selectors of this annotation's target; None for replies."""
        if self.is_reply:
            return None
        return Selectors(exact=self.exact, prefix=self.prefix, suffix=self.suffix, start=self.start, end=self.end)

    def set_selectors(self, selectors: Selectors) -> None:
        """Copy selectors onto the row (no save)."""
        self.exact, self.prefix, self.suffix = selectors.exact or "", selectors.prefix, selectors.suffix
        self.start, self.end = selectors.start, selectors.end
