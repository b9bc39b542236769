import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from annotations.models.annotation import Annotation
from archive.models import Article

WIKIDATA_ID = re.compile(r"^Q[1-9]\d*$")


def validate_wikidata_id(value: str) -> None:
    if value and not WIKIDATA_ID.match(value):
        raise ValidationError("A Wikidata ID is Q followed by digits, e.g. Q39651.")


class EntityQuerySet(models.QuerySet):
    def public(self) -> "EntityQuerySet":
        """Entities with a public page: those tagging at least one published article.

        By-mention tags exist for public mentions only, so an entity only mentioned in editors' or
        private notes, or only tagging drafts, is not public.
        """
        published = TaggedEntity.objects.filter(tag=OuterRef("pk"), content_object__status=Article.Status.PUBLISHED)
        return self.filter(Exists(published))

    def visible_to(self, user) -> "EntityQuerySet":
        """Every entity for those who may see drafts (as Article.objects.visible_to), public ones for the others."""
        if user.is_authenticated and user.has_perm("archive.view_article"):
            return self.all()
        return self.public()


class Entity(TagBase):
    """A person, organisation, place or event, with every spelling it goes by."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organisation"
        PLACE = "place", "Place"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    aliases = models.JSONField(default=list, blank=True, help_text="Other spellings, incl. misspellings.")
    wikidata_id = models.CharField(max_length=20, blank=True, validators=[validate_wikidata_id])
    description = models.CharField(max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="Set when this entity was merged; its page redirects there.",
    )

    objects = NaturalKeyManager.from_queryset(EntityQuerySet)()

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("annotations:entity_detail", kwargs={"slug": self.slug})

    @property
    def wikidata_url(self) -> str:
        return f"https://www.wikidata.org/wiki/{self.wikidata_id}" if self.wikidata_id else ""


class TaggedEntity(TaggedItemBase):
    """The through model of `Article.entities`: one article is about one entity."""

    content_object = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="entity_links")
    tag = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="tagged_articles")
    by_mention = models.BooleanField(
        default=False,
        help_text="Added because a passage mentions the entity, and removed with its last mention. "
        "False: tagged at article level by an editor, kept whatever the mentions.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_entity_unique")]
        # "Articles about this entity, nearest in time first": related suggestions walk this index.
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_entity_tag_article")]


class EntitySuggestion(models.Model):
    """A possible mention found by the matcher, waiting for an editor to confirm or dismiss it.

    Dismissed rows are kept so the same suggestion is never offered again.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="entity_suggestions")
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions")
    proposed_name = models.CharField(max_length=200, blank=True, help_text="For a new entity: its name.")
    proposed_kind = models.CharField(max_length=12, choices=Entity.Kind.choices, blank=True)
    found = models.CharField(max_length=200)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    score = models.FloatField(default=1.0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    mention = models.OneToOneField(
        Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="entity_suggestion"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "entity", "proposed_name", "found"], name="entity_suggestion_once_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.found} → {self.entity or self.proposed_name}"
