"""What the public article page shows of entities and related coverage, each in one or two queries.

For the article page (archive.views.ArticleDetailView): `entity_chips` for the chips under the
headline, `mentions_for_reader` as highlights for annotations.reading.reader_article
(`extra_highlights=`), and `related_for_reader` for the "Related coverage" section.
"""

from dataclasses import dataclass

from django.db.models import Q

from annotations.highlighting import MENTION, Highlight
from annotations.models import Annotation, ArticleLink, Entity, ExternalLink
from archive.models import Article


@dataclass(frozen=True)
class EntityChip:
    name: str
    kind: str
    kind_label: str
    url: str


def entity_chips(article: Article) -> list[EntityChip]:
    """The entities the article is tagged with, by kind then name (one query)."""
    entities = Entity.objects.filter(tagged_articles__content_object=article).order_by("kind", "name")
    return [EntityChip(e.name, e.kind, e.get_kind_display(), e.get_absolute_url()) for e in entities]


def mentions_for_reader(article: Article, *, user=None) -> list[Highlight]:
    """Mentions placed in the current revision, as MENTION highlights linking to entity pages (one query).

    Offsets are in `article.current_revision.text`, like Revision.spans. Readers (no `user`, or one
    without editor rights) see public mentions only; overlapping mentions keep the earlier, longer one.
    """
    mentions = (
        Annotation.objects.visible_to(user) if user is not None else Annotation.objects.filter(visibility="public")
    )
    rows = (
        mentions.filter(
            article=article,
            revision_id=article.current_revision_id,
            motivation=Annotation.Motivation.IDENTIFYING,
            entity__isnull=False,
        )
        .exclude(anchor_state=Annotation.Anchoring.ORPHANED)
        .select_related("entity")
        .only("start", "end", "entity__name", "entity__slug")
        .order_by("start", "-end", "pk")
    )
    highlights: list[Highlight] = []
    for mention in rows:
        if highlights and mention.start < highlights[-1].end:
            continue
        highlights.append(
            Highlight(
                mention.start, mention.end, MENTION, label=mention.entity.name, href=mention.entity.get_absolute_url()
            )
        )
    return highlights


@dataclass(frozen=True)
class RelatedLink:
    #: What the other article is to this one: "Follow-up", "Earlier coverage", "Contradicted by"…
    label: str
    kind: str
    article: Article
    note: str
    outgoing: bool


@dataclass(frozen=True)
class RelatedCoverage:
    links: list[RelatedLink]
    external: list[ExternalLink]

    def __bool__(self) -> bool:
        return bool(self.links or self.external)


def related_for_reader(article: Article, *, user=None) -> RelatedCoverage:
    """Typed links in both directions with the label for this side, and external links (two queries).

    Linked articles the viewer may not see (drafts, for readers) are left out.
    """
    visible = Article.objects.visible_to(user) if user is not None else Article.objects.published()
    visible_ids = visible.values("pk")
    links = (
        ArticleLink.objects.filter(
            Q(source=article, target__in=visible_ids) | Q(target=article, source__in=visible_ids)
        )
        .select_related("source", "target")
        .order_by("kind", "pk")
    )
    related = []
    for link in links:
        outgoing = link.source_id == article.pk
        label = link.get_kind_display() if outgoing else link.reverse_label
        other = link.target if outgoing else link.source
        related.append(RelatedLink(label, link.kind, other, link.note, outgoing))
    related.sort(key=lambda r: (r.label, r.article.headline))
    external = list(ExternalLink.objects.filter(article=article).order_by("-published_on", "pk"))
    return RelatedCoverage(related, external)
