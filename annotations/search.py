"""Full-text search over articles: headline, current text, entity names and public notes.

One document per article, written by `search_index_update` (on import and after an edit of the
article's fields by receivers of the archive's signals, after a revision by article_revise, after
mention and merge changes by the entity services; all at once by `manage.py rebuild_search_index`):

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

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import DateField, F, Lookup, Q, QuerySet
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from rapidfuzz import fuzz, process
from taggit.models import Tag

from annotations.models import Annotation, ArticleSearch, Entity, TaggedEntity
from annotations.search_query import WORD_RE, ParsedQuery, to_fts5, to_tsquery
from archive.models import Article, Outlet

#: Matches ranked at most: for a common term, the newest ones.
POOL_SIZE = 1000
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
    #: False when more articles match than were ranked: only the newest POOL_SIZE matches were.
    complete: bool = True

    @property
    def total(self) -> int:
        return len(self.ranked)


NO_FILTERS = SearchFilters()


def search_articles(
    query: ParsedQuery,
    *,
    user=None,
    filters: SearchFilters = NO_FILTERS,
    sort: str = "relevance",
    any_of: bool = False,
    exclude: Sequence[int] = (),
    pool: int | None = None,
    articles: QuerySet | None = None,
) -> SearchOutcome:
    """Rank the articles `user` may see (published ones without a user) matching `query` and `filters`.

    `sort` is "relevance" (rank, then newest) or "date" (newest first); `any_of` matches articles
    with any of the words instead of all; `exclude` leaves articles out; at most `pool` (POOL_SIZE)
    of the newest matches are ranked; `articles` (an Article queryset) searches within it instead
    of `user`'s articles. An empty query matches nothing.
    """
    if query.is_empty:
        return SearchOutcome([])
    if articles is None:
        visible = Article.objects.visible_to(user) if user is not None else Article.objects.published()
        within, joined = filters.apply(visible), filters.active
    else:
        within, joined = filters.apply(articles), True
    search = _postgres_pool if connection.vendor == "postgresql" else _sqlite_pool
    size = pool or POOL_SIZE
    rows, complete = search(query, within.exclude(pk__in=exclude).order_by(), joined, any_of, sort, size, exclude)
    if sort != "date":
        rows = sorted(rows, key=lambda row: -row[1])  # stable: equal ranks stay newest first
    return SearchOutcome(rows, complete)


@contextmanager
def _bitmap_plans():
    """Allow only bitmap scans: matches then come from the GIN index, never from testing @@ row by row.

    PostgreSQL's planner does not count the cost of detoasting a stored tsvector, so for a term in
    half the archive it prefers a sequential scan (or a walk in date order) that detoasts and tests
    every vector — ten times slower than a bitmap of the index. Session settings, reset at once.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")


def _postgres_pool(query, within, joined, any_of, sort, size, exclude):
    """The newest matches among `within`; joined: through the article rows (filters), else checked after."""
    tsquery = SearchQuery(to_tsquery(query, any_of=any_of), search_type="raw", config=CONFIG)
    matching = ArticleSearch.objects.filter(vector=tsquery).exclude(article_id__in=exclude)
    if joined:
        matching = matching.filter(article__in=within.values("pk"))
    # Without a join, articles outside `within` (readers: drafts) are dropped afterwards: take a few more.
    check = not joined and within.query.has_filters()
    limit = size + size // 10 + 1 if check else size
    with _bitmap_plans():
        newest = list(matching.order_by("-day", "-article_id").values_list("article_id", flat=True)[:limit])
    complete = len(newest) < limit
    rows = ArticleSearch.objects.filter(_AnyOf(F("article_id"), newest))
    if check:
        rows = rows.filter(article_id__in=within.filter(_AnyOf(F("pk"), newest)).values("pk"))
    if sort != "date" and newest:
        ranks = dict(rows.annotate(rank=SearchRank(F("vector"), tsquery)).values_list("article_id", "rank"))
    else:
        ranks = dict.fromkeys(rows.values_list("article_id", flat=True) if check else newest, 0.0)
    return [(pk, ranks[pk]) for pk in newest if pk in ranks][:size], complete


class _AnyOf(Lookup):
    """`column = ANY(%s)` with the ids as one array parameter: a thousand ids, one placeholder."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def _sqlite_pool(query, within, joined, any_of, sort, size, exclude):
    match = to_fts5(query, any_of=any_of)
    base = within.annotate(article_id=F("pk"), day=article_date()).values("article_id", "day")
    base_sql, base_params = base.query.sql_with_params()
    # MATERIALIZED: let FTS5 find the matches once, instead of testing MATCH row by row of the join.
    sql = (
        f"WITH m AS MATERIALIZED (SELECT rowid AS id, bm25({FTS_TABLE}, {FTS_WEIGHTS}) AS score "  # noqa: S608
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
        f"SELECT m.id, -m.score FROM m JOIN ({base_sql}) b ON b.article_id = m.id "
        f"ORDER BY b.day DESC, m.id DESC LIMIT {int(size)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *base_params])
        pool = [(pk, float(score)) for pk, score in cursor.fetchall()]
    return pool, len(pool) < size


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class SearchDocument:
    article_id: int
    day: date
    headline: str
    entities: str
    body: str
    notes: str


def search_documents(article_ids: Sequence[int]) -> list[SearchDocument]:
    """Build the documents of the given articles in four queries."""
    articles = (
        Article.objects.filter(pk__in=article_ids)
        .annotate(day=article_date())
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
                article.day,
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
        if not documents:
            continue
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


def _write_vectors(documents: list[SearchDocument]) -> None:
    """Upsert the documents' weighted vectors in one statement: the columns go as arrays, unnested.

    The vector is what SearchVector(headline, weight="A") + ... + SearchVector(notes, weight="D")
    computes, written without compiling four expressions per row (most of the cost of a batch).
    """
    table = ArticleSearch._meta.db_table
    weighted = " || ".join(
        f"setweight(to_tsvector(%s::regconfig, COALESCE(d.{column}, '')), '{weight}')"
        for column, weight in [("headline", "A"), ("entities", "B"), ("body", "C"), ("notes", "D")]
    )
    columns = list(
        zip(*[(d.article_id, d.day, d.headline, d.entities, d.body, d.notes) for d in documents], strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, day, vector, updated_at) "  # noqa: S608 - fixed names
            f"SELECT d.article_id, d.day, {weighted}, %s FROM unnest("
            "%s::bigint[], %s::date[], %s::text[], %s::text[], %s::text[], %s::text[]"
            ") AS d(article_id, day, headline, entities, body, notes) "
            "ON CONFLICT (article_id) DO UPDATE SET "
            "vector = EXCLUDED.vector, day = EXCLUDED.day, updated_at = EXCLUDED.updated_at",
            [*[CONFIG] * 4, timezone.now(), *map(list, columns)],
        )


def _write_fts(documents: list[SearchDocument]) -> None:
    ArticleSearch.objects.bulk_create(
        [ArticleSearch(article_id=d.article_id, day=d.day) for d in documents],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["day", "updated_at"],
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


def entities_visible_to(user) -> QuerySet:
    """The entities `user` may see (readers without a user: those with a public page), merged ones excluded."""
    entities = Entity.objects.visible_to(user) if user is not None else Entity.objects.public()
    return entities.filter(merged_into__isnull=True)


def entities_named(query: ParsedQuery, *, user=None, limit: int = 5) -> list[Entity]:
    """Entities `user` may see (a reader's without one) whose name or an alias contains the query's words."""
    text = " ".join(query.words())
    if len(text) < 2:
        return []
    return list(
        entities_visible_to(user)
        .filter(Q(name__icontains=text) | Q(aliases__icontains=text))
        .only("name", "slug", "kind")
        .order_by("name")[:limit]
    )


def spelling_suggestion(query: ParsedQuery, *, user=None) -> str | None:
    """The query with misspelt words replaced by the closest word of an entity's name `user` may see
    ("Tikanovskaya" → "Tikhanovskaya"), or None when nothing close enough differs."""
    vocabulary: dict[str, str] = {}
    rows = entities_visible_to(user).values_list("name", "aliases")[:SPELLING_VOCABULARY]
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


# --------------------------------------------------------------------------- distinctive words

#: A word in at least this share of the documents (and in MIN_COMMON_DOCUMENTS) says little about
#: what an article is about.
COMMON_SHARE = 0.01
MIN_COMMON_DOCUMENTS = 20
COMMON_CACHE_SECONDS = 600


def common_lexemes() -> frozenset[str]:
    """The index's lexemes common enough to say nothing (PostgreSQL's statistics, cached for a while).

    ANALYZE keeps the most common elements of the tsvector column with their frequencies, so this
    costs one small catalogue query; SQLite keeps no such statistics (an empty set).
    """
    if connection.vendor != "postgresql":
        return frozenset()
    cached = cache.get("palimpsest:search:common-lexemes")
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples FROM pg_stats s "
                "JOIN pg_class c ON c.oid = %s::regclass WHERE s.tablename = %s AND s.attname = 'vector'",
                [ArticleSearch._meta.db_table, ArticleSearch._meta.db_table],
            )
            row = cursor.fetchone()
        elements, frequencies, documents = row if row and row[0] else ([], [], 0)
        threshold = max(COMMON_SHARE, MIN_COMMON_DOCUMENTS / max(documents, 1))
        cached = frozenset(e for e, f in zip(elements, frequencies, strict=False) if f >= threshold)
        cache.set("palimpsest:search:common-lexemes", cached, COMMON_CACHE_SECONDS)
    return cached


def distinctive_words(words: Sequence[str], *, limit: int) -> list[str]:
    """The first `limit` of `words` that are neither stop words nor common in the archive (PostgreSQL)."""
    common = common_lexemes()
    if not common or not words:
        return list(words[:limit])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, to_tsvector(%s::regconfig, w)::text FROM unnest(%s::text[]) AS w", [CONFIG, list(words)]
        )
        lexemes = dict(cursor.fetchall())
    kept = []
    for word in words:
        found = re.findall(r"'((?:[^']|'')+)'", lexemes.get(word, ""))
        if found and not any(lexeme.replace("''", "'") in common for lexeme in found):
            kept.append(word)
    return kept[:limit]
