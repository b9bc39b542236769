"""Full-text search over articles: headline, current text, entity names and public notes.

One document per article, written by `search_index_update` (on import by a receiver, after a
revision by article_revise, after mention and merge changes by the entity services):

* PostgreSQL: a stored, weighted tsvector (`ArticleSearch.vector`, GIN-indexed). Matching uses the
  index (a bitmap plan: the date is an expression no index offers, so the planner cannot walk a date
  index hoping to meet a rare term), and only the newest POOL_SIZE matches are ranked with
  `SearchRank(F("vector"), query)` — ranking every match of a term found in half the archive costs
  tens of times more, and the field must be passed as F() so the stored vector is ranked, not re-parsed.
* SQLite: the same document in an FTS5 table, matched with MATCH and ranked with bm25() — not a
  LIKE scan.

Queries are parsed by annotations.search_query into quoted words first, so no input can reach an
engine's parser unescaped.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import DateField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from rapidfuzz import fuzz, process
from taggit.models import Tag

from annotations.models import Annotation, ArticleSearch, Entity, TaggedEntity
from annotations.search_query import WORD_RE, ParsedQuery, to_fts5, to_tsquery
from archive.models import Article, Outlet

#: Matches ranked at most: for a common term, the newest ones.
POOL_SIZE = 1000
#: Matches counted at most: beyond it the page says "more than 10,000".
COUNT_CAP = 10_000
#: PostgreSQL text search configuration (the archive stores English translations).
CONFIG = "english"
FTS_TABLE = "annotations_search_fts"
#: bm25 weights of the FTS5 columns headline, entities, body, notes (like tsvector weights A, B, C, D).
FTS_WEIGHTS = "10.0, 4.0, 1.0, 0.5"
#: Longest public-notes text indexed per article (a tsvector is limited to 1 MB).
MAX_NOTES_CHARS = 100_000
INDEX_BATCH = 500


def article_date(prefix: str = ""):
    """The article's date for ordering and filtering: its publication date if known, else the archive's."""
    return Coalesce(
        F(f"{prefix}published_on"),
        Cast(F(f"{prefix}published_at"), DateField()),
        Cast(F(f"{prefix}created_at"), DateField()),
        output_field=DateField(),
    )


@dataclass(frozen=True)
class SearchFilters:
    entity: Entity | None = None
    tag: Tag | None = None
    outlet: Outlet | None = None
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, articles: QuerySet) -> QuerySet:
        """Narrow an Article queryset to the filters."""
        if self.entity is not None:
            articles = articles.filter(entity_links__tag=self.entity)
        if self.tag is not None:
            articles = articles.filter(tags=self.tag)
        if self.outlet is not None:
            articles = articles.filter(outlet=self.outlet)
        if self.date_from or self.date_to:
            articles = articles.alias(day=article_date())
            if self.date_from:
                articles = articles.filter(day__gte=self.date_from)
            if self.date_to:
                articles = articles.filter(day__lte=self.date_to)
        return articles

    @property
    def active(self) -> bool:
        return any([self.entity, self.tag, self.outlet, self.date_from, self.date_to])


@dataclass(frozen=True)
class SearchOutcome:
    #: (article id, relevance) best first — at most POOL_SIZE.
    ranked: list[tuple[int, float]]
    #: How many articles match (counted up to COUNT_CAP).
    total: int

    @property
    def pooled(self) -> bool:
        """True when more articles match than were ranked (only the newest POOL_SIZE were)."""
        return self.total > len(self.ranked)

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


def search_articles(
    query: ParsedQuery, *, articles: QuerySet, sort: str = "relevance", any_of: bool = False
) -> SearchOutcome:
    """Rank the articles of `articles` (an Article queryset: visibility and filters) matching `query`.

    `sort` is "relevance" (rank, then newest) or "date" (newest first); `any_of` matches articles
    with any of the words instead of all. An empty query matches nothing.
    """
    if query.is_empty:
        return SearchOutcome([], 0)
    search = _postgres_pool if connection.vendor == "postgresql" else _sqlite_pool
    pool, count = search(query, articles, any_of)
    if sort != "date":
        pool = sorted(pool, key=lambda row: -row[1])  # stable: equal ranks stay newest first
    total = len(pool) if len(pool) < POOL_SIZE else count()
    return SearchOutcome([(pk, rank) for pk, rank in pool], total)


def _postgres_pool(query: ParsedQuery, articles: QuerySet, any_of: bool):
    tsquery = SearchQuery(to_tsquery(query, any_of=any_of), search_type="raw", config=CONFIG)
    matching = articles.filter(search_document__vector=tsquery)
    newest = matching.annotate(day=article_date()).order_by("-day", "-pk").values("pk")[:POOL_SIZE]
    rows = (
        ArticleSearch.objects.filter(article_id__in=newest)
        .annotate(rank=SearchRank(F("vector"), tsquery), day=article_date("article__"))
        .order_by("-day", "-article_id")
        .values_list("article_id", "rank")
    )

    def count() -> int:
        return matching.values("pk")[: COUNT_CAP + 1].count()

    return list(rows), count


def _sqlite_pool(query: ParsedQuery, articles: QuerySet, any_of: bool):
    match = to_fts5(query, any_of=any_of)
    base = articles.order_by().annotate(article_id=F("pk"), day=article_date()).values("article_id", "day")
    base_sql, base_params = base.query.sql_with_params()
    # MATERIALIZED: let FTS5 find the matches once, instead of testing MATCH row by row of the join.
    matches = (
        f"WITH m AS MATERIALIZED (SELECT rowid AS id, bm25({FTS_TABLE}, {FTS_WEIGHTS}) AS score "  # noqa: S608
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
    )
    joined = f"FROM m JOIN ({base_sql}) b ON b.article_id = m.id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{matches} SELECT m.id, -m.score {joined} ORDER BY b.day DESC, m.id DESC LIMIT {POOL_SIZE}",
            [match, *base_params],
        )
        pool = [(pk, float(score)) for pk, score in cursor.fetchall()]

    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM ({matches} SELECT 1 {joined} LIMIT {COUNT_CAP + 1})",  # noqa: S608
                [match, *base_params],
            )
            return cursor.fetchone()[0]

    return pool, count


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class SearchDocument:
    article_id: int
    headline: str
    entities: str
    body: str
    notes: str


def search_documents(article_ids: Sequence[int]) -> list[SearchDocument]:
    """Build the documents of the given articles in four queries."""
    articles = (
        Article.objects.filter(pk__in=article_ids)
        .select_related("current_revision")
        .only("headline", "current_revision__blocks")
    )
    names: dict[int, list[str]] = defaultdict(list)
    for article_id, name, aliases in TaggedEntity.objects.filter(content_object_id__in=article_ids).values_list(
        "content_object_id", "tag__name", "tag__aliases"
    ):
        names[article_id] += [name, *aliases]
    notes: dict[int, list[str]] = defaultdict(list)
    for article_id, body in (
        Annotation.objects.filter(article_id__in=article_ids, visibility=Annotation.Visibility.PUBLIC)
        .exclude(body_value="")
        .order_by("pk")
        .values_list("article_id", "body_value")
    ):
        notes[article_id].append(body)
    documents = []
    for article in articles:
        revision = article.current_revision
        body = [block.text for _, block in revision.reader_blocks() if block.kind != "headline"] if revision else []
        documents.append(
            SearchDocument(
                article.pk,
                article.headline,
                "\n".join(names[article.pk]),
                "\n\n".join(body),
                "\n\n".join(notes[article.pk])[:MAX_NOTES_CHARS],
            )
        )
    return documents


def search_index_update(*, article_ids: Iterable[int]) -> int:
    """Write the search documents of the given articles (missing articles are skipped); return how many."""
    ids = sorted(set(article_ids))
    written = 0
    for offset in range(0, len(ids), INDEX_BATCH):
        documents = search_documents(ids[offset : offset + INDEX_BATCH])
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _write_vectors(documents)
            else:
                _write_fts(documents)
        written += len(documents)
    return written


def search_index_update_on_commit(article_ids: Iterable[int]) -> None:
    """Refresh the given articles' documents once the current transaction commits."""
    ids = list(article_ids)
    if ids:
        transaction.on_commit(lambda: search_index_update(article_ids=ids))


def _vector(document: SearchDocument) -> SearchVector:
    parts = [("headline", "A"), ("entities", "B"), ("body", "C"), ("notes", "D")]
    vectors = [SearchVector(Value(getattr(document, name)), weight=weight, config=CONFIG) for name, weight in parts]
    return vectors[0] + vectors[1] + vectors[2] + vectors[3]


def _write_vectors(documents: list[SearchDocument]) -> None:
    ArticleSearch.objects.bulk_create(
        [ArticleSearch(article_id=document.article_id, vector=_vector(document)) for document in documents],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["vector", "updated_at"],
    )


def _write_fts(documents: list[SearchDocument]) -> None:
    ArticleSearch.objects.bulk_create(
        [ArticleSearch(article_id=document.article_id) for document in documents],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["updated_at"],
    )
    ids = [document.article_id for document in documents]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
            ids,
        )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, headline, entities, body, notes) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [(d.article_id, d.headline, d.entities, d.body, d.notes) for d in documents],
        )


def search_index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrite every article's document; report (done, total) to `progress` per batch; return the count."""
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), INDEX_BATCH):
        search_index_update(article_ids=ids[offset : offset + INDEX_BATCH])
        if progress:
            progress(min(offset + INDEX_BATCH, len(ids)), len(ids))
    return len(ids)


# --------------------------------------------------------------------------- entity names


#: Entities read for spelling suggestions at most (names and aliases of the archive's entities).
SPELLING_VOCABULARY = 5000
SPELLING_CUTOFF = 80.0


def entities_named(query: ParsedQuery, *, limit: int = 5) -> list[Entity]:
    """Entities whose name or an alias contains the query's words (merged ones excluded)."""
    text = " ".join(query.words())
    if len(text) < 2:
        return []
    return list(
        Entity.objects.filter(merged_into__isnull=True)
        .filter(Q(name__icontains=text) | Q(aliases__icontains=text))
        .only("name", "slug", "kind")
        .order_by("name")[:limit]
    )


def spelling_suggestion(query: ParsedQuery) -> str | None:
    """The query with misspelt words replaced by the closest entity-name word ("Tikanovskaya" →
    "Tikhanovskaya"), or None when nothing close enough differs."""
    vocabulary: dict[str, str] = {}
    rows = Entity.objects.filter(merged_into__isnull=True).values_list("name", "aliases")[:SPELLING_VOCABULARY]
    for name, aliases in rows:
        for word in WORD_RE.findall(" ".join([name, *(aliases or ())])):
            if len(word) >= 4:
                vocabulary.setdefault(word.casefold(), word)
    changed, words = False, []
    for word in query.words():
        folded = word.casefold()
        match = (
            None
            if folded in vocabulary or len(folded) < 4
            else process.extractOne(folded, list(vocabulary), scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF)
        )
        if match:
            words.append(vocabulary[match[0]])
            changed = True
        else:
            words.append(word)
    return " ".join(words) if changed else None
