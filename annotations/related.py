"""Suggestions of related archive articles, ranked by shared entities, shared tags and similar wording.

Bounded whatever the size of the archive (about eight queries): candidates come from the
articles nearest in time that share each of the article's entities (an index range per entity,
never every article tagged "Belarus") and from a full-text search for the article's key terms
(ranked among the newest matches, see annotations.search); only the best candidates are then
scored on shared tags and dates.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from taggit.models import TaggedItem

from annotations.models import ArticleLink, Entity, TaggedEntity
from annotations.search import distinctive_words, search_articles
from annotations.search_query import key_terms, words_query
from archive.models import Article

#: Articles looked at on each side (older, newer) of the article for each of its entities.
NEIGHBOURS_PER_ENTITY = 100
MAX_ENTITIES = 15
TEXT_CANDIDATES = 50
#: Distinctive words searched for, and the newest matches ranked for them.
KEY_TERMS = 6
TEXT_POOL = 300
SCORED_CANDIDATES = 50
#: Articles per entity counted at most when weighing how rare (telling) the entity is.
RARITY_CAP = 1000
SAME_WEEK_DAYS = 7
WEIGHTS = {"entity": 2.0, "tag": 1.0, "text": 3.0, "week": 1.0}
#: Reasons name people first, places last, and at most this many entities.
KIND_ORDER = {"person": 0, "event": 1, "organization": 2, "other": 3, "place": 4}
NAMED_IN_REASON = 4


@dataclass
class RelatedSuggestion:
    article: Article
    score: float = 0.0
    shared_entities: list[str] = field(default_factory=list)
    shared_tags: list[str] = field(default_factory=list)
    similar_text: bool = False
    same_week: bool = False

    @property
    def reasons(self) -> list[str]:
        """Why it is suggested, e.g. ["shares Lukashenko, Tsikhanouskaya", "same week"]."""
        reasons = []
        if self.shared_entities:
            named, more = self.shared_entities[:NAMED_IN_REASON], len(self.shared_entities) - NAMED_IN_REASON
            reasons.append("shares " + ", ".join(named) + (f" and {more} more" if more > 0 else ""))
        if self.shared_tags:
            reasons.append("also tagged " + ", ".join(self.shared_tags))
        if self.same_week:
            reasons.append("same week")
        if self.similar_text:
            reasons.append("similar wording")
        return reasons

    def __str__(self) -> str:
        return "; ".join(self.reasons)


def short_name(name: str, kind: str) -> str:
    """How a reason names an entity: people by surname, everything else in full."""
    return name.split()[-1] if kind == Entity.Kind.PERSON and " " in name else name


def related_suggestions(article: Article, *, limit: int = 5, user=None) -> list[RelatedSuggestion]:
    """Up to `limit` articles related to `article`, best first, with their reasons.

    Only articles `user` may see are suggested (published ones without a user); articles already
    linked to it either way are left out.
    """
    visible = Article.objects.visible_to(user) if user is not None else Article.objects.published()
    rows = Entity.objects.filter(tagged_articles__content_object=article).values_list("pk", "name", "kind")
    ordered = sorted(rows.order_by("pk")[:MAX_ENTITIES], key=lambda row: (KIND_ORDER.get(row[2], 3), row[1]))
    entities = {pk: short_name(name, kind) for pk, name, kind in ordered}
    order = {pk: position for position, pk in enumerate(entities)}
    shared = _entity_neighbours(article.pk, list(entities))
    weight = _entity_weights(list(entities))
    text = _text_neighbours(article, user)
    linked = ArticleLink.objects.filter(Q(source=article) | Q(target=article)).values_list("source_id", "target_id")
    excluded = {article.pk} | {pk for pair in linked for pk in pair}
    candidates = sorted(
        (set(shared) | set(text)) - excluded,
        key=lambda pk: (
            -(WEIGHTS["entity"] * sum(weight[e] for e in shared.get(pk, ())) + WEIGHTS["text"] * text.get(pk, 0.0))
        ),
    )[:SCORED_CANDIDATES]
    rows = (
        visible.filter(pk__in=candidates)
        .select_related("outlet")
        .only("slug", "headline", "status", "published_on", "published_at", "outlet__name")
    )
    tags = _shared_tags(article, candidates)
    suggestions = []
    for other in rows:
        suggestion = RelatedSuggestion(
            other,
            shared_entities=[entities[pk] for pk in sorted(shared.get(other.pk, ()), key=order.get)],
            shared_tags=tags.get(other.pk, []),
            similar_text=text.get(other.pk, 0.0) >= 0.5,
            same_week=_same_week(article, other),
        )
        suggestion.score = (
            WEIGHTS["entity"] * sum(weight[e] for e in shared.get(other.pk, ()))
            + WEIGHTS["tag"] * len(suggestion.shared_tags)
            + WEIGHTS["text"] * text.get(other.pk, 0.0)
            + WEIGHTS["week"] * suggestion.same_week
        )
        suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (-s.score, -(s.article.pk)))
    return suggestions[:limit]


def _union_all(querysets) -> tuple[str, list]:
    """One UNION ALL of sliced querysets (each wrapped, so SQLite accepts their LIMITs)."""
    parts, params = [], []
    for queryset in querysets:
        sql, part_params = queryset.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part{len(parts)}")  # noqa: S608 - SQL compiled by the ORM
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


def _entity_neighbours(article_id: int, entity_ids: list[int]) -> dict[int, set[int]]:
    """For articles near in time sharing an entity: the entities they share (one query)."""
    if not entity_ids:
        return {}
    sides = []
    for entity_id in entity_ids:
        tagged = TaggedEntity.objects.filter(tag_id=entity_id).values_list("content_object_id", "tag_id")
        sides.append(tagged.filter(content_object_id__lt=article_id).order_by("-content_object_id"))
        sides.append(tagged.filter(content_object_id__gt=article_id).order_by("content_object_id"))
    sql, params = _union_all(side[:NEIGHBOURS_PER_ENTITY] for side in sides)
    shared: dict[int, set[int]] = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for other_id, entity_id in cursor.fetchall():
            shared[other_id].add(entity_id)
    return shared


def _entity_weights(entity_ids: list[int]) -> dict[int, float]:
    """How telling sharing each entity is: 1 for one on RARITY_CAP articles or more, up to 4 for a rare one.

    Counting stops at RARITY_CAP rows per entity (one query over the tag index), so an entity on
    half the archive costs no more than one on a few thousand articles.
    """
    if not entity_ids:
        return {}
    capped = (
        TaggedEntity.objects.filter(tag_id=entity_id).values_list("tag_id", flat=True)[:RARITY_CAP]
        for entity_id in entity_ids
    )
    sql, params = _union_all(capped)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tag_id, count(*) FROM ({sql}) AS tagged GROUP BY tag_id", params)  # noqa: S608
        counts = dict(cursor.fetchall())
    return {pk: 1.0 + math.log10(RARITY_CAP / max(counts.get(pk, 1), 1)) for pk in entity_ids}


def _text_neighbours(article: Article, user) -> dict[int, float]:
    """Articles using the same key words, with a similarity from 0 to 1 (relative to the best)."""
    revision = article.current_revision
    if revision is None:
        return {}
    body = "\n".join(block.text for _, block in revision.reader_blocks() if block.kind != "headline")
    terms = distinctive_words(key_terms(article.headline, body, limit=5 * KEY_TERMS), limit=KEY_TERMS)
    outcome = search_articles(words_query(terms), user=user, any_of=True, exclude=[article.pk], pool=TEXT_POOL)
    best = outcome.ranked[0][1] if outcome.ranked else 0.0
    if best <= 0:
        return {}
    return {pk: rank / best for pk, rank in outcome.ranked[:TEXT_CANDIDATES]}


def _shared_tags(article: Article, candidates: list[int]) -> dict[int, list[str]]:
    """Topic tags each candidate shares with the article (one query, plus one for the article's tags)."""
    article_type = ContentType.objects.get_for_model(Article)
    own = list(article.tags.values_list("pk", flat=True))
    if not own or not candidates:
        return {}
    shared: dict[int, list[str]] = defaultdict(list)
    for object_id, name in (
        TaggedItem.objects.filter(content_type=article_type, object_id__in=candidates, tag_id__in=own)
        .order_by("tag__name")
        .values_list("object_id", "tag__name")
    ):
        shared[object_id].append(name)
    return shared


def _same_week(article: Article, other: Article) -> bool:
    if article.published_on is None or other.published_on is None:
        return False
    return abs((article.published_on - other.published_on).days) < SAME_WEEK_DAYS
