"""Search and related-article suggestions over 100,000 synthetic articles on PostgreSQL.

Usage: python bench/bench_search.py [--count N] [--runs N] [--rebuild]
(DATABASE_URL selects the database; default: PostgreSQL on 127.0.0.1, database
palimpsest_bench_search, created if missing. The archive there is built once — about 4 KB of
text per article, entities and topic tags — and reused by later runs unless --rebuild.)

Query classes: a rare term (~10 articles), a mid term (~1,000), a term in half the archive,
and two terms together; each through `search_articles` as the search page calls it (matching,
ranking, the capped count), ranked by relevance and ordered by date. Then the search page itself
(snippets included) and `related_suggestions`. Goals: search p95 <= 50 ms, related <= 100 ms.
"""

import argparse
import bisect
import os
import random
import statistics
import time

from _setup import empty_archive, setup_django

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/palimpsest_bench_search")

TERMS = {"rare": ("zorblatt", 10), "mid": ("quellmarch", 1_000), "half": ("brightvale", None)}
STOPWORDS = "the of and to in a is that for on was with as by it from at his her said were".split()
SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"] + ["an", "er", "os", "ul", "ik"]
ENTITIES, TOPICS, BATCH, STORY_SIZE = 300, 50, 2_000, 5


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    planted = {term for term, _ in TERMS.values()}
    ordered = sorted(words - planted)
    rng.shuffle(ordered)  # frequency rank independent of spelling
    return ordered


def paragraph(rng: random.Random, words: list[str], weights: list[float], length: int) -> str:
    picked = rng.choices(words, cum_weights=weights, k=length)
    for n in range(0, length, 3):
        picked[n] = rng.choice(STOPWORDS)
    picked[0] = picked[0].capitalize()
    return " ".join(picked) + "."


def article_blocks(number: int, planted: list[str], names: list[str], rng, words, weights) -> list[dict]:
    """A headline and six paragraphs; the story's names recur, as names do in news."""
    headline = f"Report {number}: {names[0]} " + paragraph(rng, words, weights, 7)[:-1].lower()
    paragraphs = [paragraph(rng, words, weights, rng.randint(80, 120)) for _ in range(6)]
    for term in planted + names * 3:
        spot = rng.randrange(len(paragraphs))
        paragraphs[spot] = paragraphs[spot][:-1] + f" {term}."
    return [{"kind": "headline", "text": headline}] + [{"kind": "paragraph", "text": p} for p in paragraphs]


def story_of(number: int) -> int:
    """Articles come in stories of STORY_SIZE consecutive reports on the same events."""
    return number // STORY_SIZE


def build_archive(count: int) -> None:
    """Insert `count` articles with revisions, entity and topic tags, then index them all."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from annotations.models import Entity, TaggedEntity
    from annotations.search import search_index_rebuild
    from archive.blocks import blocks_from_dicts, canonical_text
    from archive.models import Article, Revision

    rng = random.Random(5)
    words = vocabulary(rng)
    weights = list(_cumulative(1 / (rank + 1) for rank in range(len(words))))
    holders = {name: set(rng.sample(range(count), n or count // 2)) for name, (_, n) in TERMS.items()}
    empty_archive()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE annotations_entity, taggit_tag CASCADE")
    entities = Entity.objects.bulk_create(
        Entity(name=_name(rng), slug=f"entity-{n}", kind=rng.choice(["person", "place", "organization"]))
        for n in range(ENTITIES + count // STORY_SIZE + 1)
    )
    common, per_story = entities[:ENTITIES], entities[ENTITIES:]
    topics = Tag.objects.bulk_create(Tag(name=f"topic {n}", slug=f"topic-{n}") for n in range(TOPICS))
    article_type = ContentType.objects.get_for_model(Article)
    entity_weights = list(_cumulative(1 / (rank + 1) for rank in range(ENTITIES)))
    story_days = [rng.randrange(3650) for _ in range(count // STORY_SIZE + 1)]
    story_names = [[_name(rng, 1), _name(rng, 1)] for _ in range(count // STORY_SIZE + 1)]
    now, start = timezone.now(), time.perf_counter()
    for offset in range(0, count, BATCH):
        numbers = range(offset, min(offset + BATCH, count))
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                Article(
                    slug=f"bench-{n}",
                    headline=f"Report {n}",
                    status="published" if n % 20 else "draft",
                    published_at=now,
                    published_on=(now - timezone.timedelta(days=story_days[story_of(n)] + rng.randrange(5))).date(),
                    published_on_precision="day",
                )
                for n in numbers
            )
            revisions = []
            for n, article in zip(numbers, articles, strict=True):
                planted = [term for name, (term, _) in TERMS.items() if n in holders[name]]
                blocks = article_blocks(n, planted, story_names[story_of(n)], rng, words, weights)
                revisions.append(
                    Revision(
                        article=article,
                        number=1,
                        blocks=blocks,
                        text=canonical_text(blocks_from_dicts(blocks)),
                        message="Imported",
                        created_at=now,
                    )
                )
                article.headline = blocks[0]["text"]
            Revision.objects.bulk_create(revisions)
            for article, revision in zip(articles, revisions, strict=True):
                article.current_revision = revision
            Article.objects.bulk_update(articles, ["current_revision", "headline"], batch_size=BATCH)
            TaggedEntity.objects.bulk_create(
                TaggedEntity(content_object=article, tag=entity)
                for n, article in zip(numbers, articles, strict=True)
                for entity in {per_story[story_of(n)]}
                | {common[i] for i in _pick(rng, entity_weights, rng.randint(2, 6))}
            )
            TaggedItem.objects.bulk_create(
                TaggedItem(content_type=article_type, object_id=article.pk, tag=topic)
                for article in articles
                for topic in set(rng.sample(topics, rng.randint(1, 3)))
            )
        print(f"  inserted {numbers[-1] + 1:,}/{count:,} ({time.perf_counter() - start:.0f} s)", flush=True)
    start = time.perf_counter()
    search_index_rebuild(progress=lambda done, total: done % 20_000 == 0 and print(f"  indexed {done:,}", flush=True))
    seconds = time.perf_counter() - start
    print(f"  search index: {count:,} documents in {seconds:.0f} s ({count / seconds:,.0f}/s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _name(rng: random.Random, words: int = 2) -> str:
    """A capitalised made-up name ("Velomir Tadosk"), rare by construction."""
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in range(words))


def _cumulative(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def _pick(rng, cumulative, k):
    """k indexes drawn with the weights whose running totals are `cumulative`."""
    return [bisect.bisect_left(cumulative, rng.random() * cumulative[-1]) for _ in range(k)]


def timed(function, runs: int) -> tuple[float, float, object]:
    """Median and 95th percentile in milliseconds over `runs` calls (after two warm-ups)."""
    for _ in range(2):
        result = function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="articles in the synthetic archive")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measurement")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the archive even if it has --count articles")
    args = parser.parse_args()
    vendor = setup_django()
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from annotations.models import ArticleSearch
    from annotations.related import related_suggestions
    from annotations.search import search_articles
    from annotations.search_query import parse_query
    from annotations.views.search import SearchView
    from archive.models import Article

    if args.rebuild or ArticleSearch.objects.count() != args.count or Article.objects.count() != args.count:
        print(f"Building {args.count:,} synthetic articles on {vendor} …", flush=True)
        build_archive(args.count)
    published = Article.objects.published()
    print(f"\nSearch over {args.count:,} articles ({published.count():,} published), {args.runs} runs each, {vendor}")
    print(f"{'query':<28}{'sort':<11}{'ranked':>9}{'p50 ms':>9}{'p95 ms':>9}")
    queries = {
        "rare (zorblatt)": "zorblatt",
        "mid (quellmarch)": "quellmarch",
        "half (brightvale)": "brightvale",
        "two terms (mid + half)": "quellmarch brightvale",
    }
    worst = 0.0
    for label, raw in queries.items():
        for sort in ("relevance", "date"):
            p50, p95, outcome = timed(
                lambda raw=raw, sort=sort: search_articles(parse_query(raw), sort=sort), args.runs
            )
            worst = max(worst, p95)
            shown = f"{outcome.total:,}" + ("" if outcome.complete else "+")
            print(f"{label:<28}{sort:<11}{shown:>9}{p50:>9.1f}{p95:>9.1f}")
    print(f"search goal p95 <= 50 ms: {'PASS' if worst <= 50 else 'FAIL'} (worst p95 {worst:.1f} ms)")

    view, factory = SearchView.as_view(), RequestFactory()

    def page(raw):
        request = factory.get("/search", {"q": raw})
        request.user = AnonymousUser()
        response = view(request)
        response.render()
        return response

    for label, raw in [("page: mid term", "quellmarch"), ("page: half the archive", "brightvale")]:
        p50, p95, _ = timed(lambda raw=raw: page(raw), args.runs)
        print(f"{label:<39}{'':>9}{p50:>9.1f}{p95:>9.1f}")

    rng = random.Random(7)
    ids = list(published.values_list("pk", flat=True))
    sample = [Article.objects.select_related("current_revision").get(pk=pk) for pk in rng.sample(ids, args.runs + 3)]
    for article in sample[:3]:
        related_suggestions(article)  # warm-up; each timed article is then asked once
    samples, same_story = [], 0
    for article in sample[3:]:
        start = time.perf_counter()
        suggestions = related_suggestions(article)
        samples.append((time.perf_counter() - start) * 1000)
        number = int(article.slug.rsplit("-", 1)[1])
        first = int(suggestions[0].article.slug.rsplit("-", 1)[1]) if suggestions else -1
        same_story += first // STORY_SIZE == number // STORY_SIZE
    samples.sort()
    p50, p95 = statistics.median(samples), samples[int(len(samples) * 0.95)]
    print(f"{'related_suggestions (' + str(args.runs) + ' articles)':<39}{'':>9}{p50:>9.1f}{p95:>9.1f}")
    example = suggestions[0] if suggestions else "-"
    print(f"  first suggestion from the same story: {same_story}/{args.runs}; e.g. {example}")
    print(f"related goal <= 100 ms: {'PASS' if p95 <= 100 else 'FAIL'}")


if __name__ == "__main__":
    main()
