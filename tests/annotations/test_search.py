"""Search: safe query parsing (pure), the engine's full-text index on SQLite and PostgreSQL, the page."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.anchoring import Selectors
from annotations.models import ArticleSearch
from annotations.search import (
    FTS_TABLE,
    POOL_SIZE,
    SearchFilters,
    search_articles,
    search_index_rebuild,
    search_index_update,
    spelling_suggestion,
)
from annotations.search_query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    parse_query,
    snippet,
    to_fts5,
    to_tsquery,
    words_query,
)
from annotations.services.annotating import Body, annotation_create
from annotations.services.entities import entity_create, entity_tag_add
from annotations.services.revising import article_revise
from archive.models import Article, Outlet
from archive.services import article_import
from tests.factories import import_seed, make_article, make_member

ODD_QUERIES = [
    "",
    "   ",
    '"',
    '""',
    '"unclosed phrase',
    "*",
    "-",
    "--",
    "-*",
    "luka*",
    "AND OR NOT",
    "NOT Lukashenko",
    "'; DROP TABLE archive_article; --",
    "1=1 OR 'a'='a'",
    "Lukashenko) OR (1",
    "col:value",
    "NEAR(a b)",
    "^start",
    "a & b | !c <-> d",
    "\\",
    "\x00",
    "Цихановская",
    "🙂 Belarus",
    "Bache\u0301let",
    "x" * 10_000,
    "word " * 500,
]


# --------------------------------------------------------------------------- parsing (no database)


def test_words_phrases_prefixes_and_exclusions():
    query = parse_query('Lukashenko "calm the winds" -Putin protest* NOT Kremlin')
    assert [(t.words, t.negated, t.prefix) for t in query.terms] == [
        (("Lukashenko",), False, False),
        (("calm", "the", "winds"), False, False),
        (("Putin",), True, False),
        (("protest",), False, True),
        (("Kremlin",), True, False),
    ]
    assert to_tsquery(query) == "'Lukashenko' & 'calm the winds' & !'Putin' & 'protest':* & !'Kremlin'"
    assert to_fts5(query) == '("Lukashenko" "calm the winds" "protest" *) NOT "Putin" NOT "Kremlin"'
    assert to_fts5(words_query(["riots", "Belarus"]), any_of=True) == '("riots" OR "Belarus")'


@pytest.mark.parametrize("raw", ODD_QUERIES)
def test_odd_queries_become_quoted_words_or_nothing(raw):
    query = parse_query(raw)
    assert len(query.terms) <= MAX_TERMS
    assert sum(len(w) for t in query.terms for w in t.words) <= MAX_QUERY_CHARS
    for term in query.terms:
        assert all(word.isalnum() for word in term.words)


@given(st.text(max_size=400))
def test_any_text_parses_into_safe_engine_syntax(raw):
    query = parse_query(raw)
    fts, ts = to_fts5(query), to_tsquery(query)
    assert (fts == "") == (ts == "") == query.is_empty
    for word in query.words():
        assert word.isalnum() and '"' not in word and "'" not in word


def test_snippets_mark_inflected_hits_around_the_first_one():
    text = "Opening words. " + "filler " * 60 + "The protesters were arrested. More protests followed."
    parts = snippet(text, parse_query("protest"), width=80)
    assert parts[0].text == "…" and [p.text for p in parts if p.hit] == ["protesters", "protests"]
    assert snippet("No hit here", parse_query("zebra"))[0].text == "No hit here"


# --------------------------------------------------------------------------- the index and the engines


def ranked_headlines(raw, **kwargs):
    outcome = search_articles(parse_query(raw), **kwargs)
    headlines = dict(Article.objects.values_list("pk", "headline"))
    return [headlines[pk] for pk, _ in outcome.ranked]


@pytest.fixture
def indexed(db):
    seed = import_seed()
    weather = make_article("Weather in Minsk: rain and protests of farmers")
    draft = make_article("Draft about Lukashenko", publish=False)
    search_index_update(article_ids=[seed.pk, weather.pk, draft.pk])
    return seed, weather, draft


@pytest.mark.django_db
def test_headlines_text_and_phrases_are_found_and_ranked(indexed):
    seed, weather, _ = indexed
    assert ranked_headlines("Lukashenko") == [seed.headline]
    assert ranked_headlines('"calm the winds"') == [seed.headline]
    assert ranked_headlines('"winds calm the"') == []
    assert set(ranked_headlines("protesters")) == {seed.headline, weather.headline}  # stemmed: protests ~ protesters
    assert ranked_headlines("Minsk")[0] == weather.headline  # a headline word outranks the text
    assert ranked_headlines("luka*") == [seed.headline]
    assert ranked_headlines("protest -Lukashenko") == [weather.headline]
    assert ranked_headlines("protest", sort="date") == [weather.headline, seed.headline]


@pytest.mark.django_db
def test_the_engine_matches_through_its_index_not_a_like_scan(indexed):
    with CaptureQueriesContext(connection) as queries:
        ranked_headlines("Lukashenko")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "LIKE" not in sql.upper()
    assert (
        ("@@" in sql and "ts_rank" in sql) if connection.vendor == "postgresql" else ("MATCH" in sql and "bm25" in sql)
    )


@pytest.mark.django_db
def test_drafts_only_for_those_who_may_see_them(indexed):
    assert ranked_headlines("Lukashenko") != [] and "Draft about Lukashenko" not in ranked_headlines("Lukashenko")
    assert "Draft about Lukashenko" in ranked_headlines("Lukashenko", user=make_member("editor", "Editor"))


@pytest.mark.django_db
def test_public_notes_and_entity_names_are_searchable_private_ones_not(indexed):
    seed, *_ = indexed
    editor = make_member("editor", "Editor")
    start = seed.current_revision.text.index("Belchett")
    where = Selectors(exact="Belchett", start=start, end=start + 8)
    annotation_create(
        article=seed,
        creator=editor,
        motivation="commenting",
        selectors=where,
        body=Body("Ombudsperson"),
        visibility="public",
    )
    annotation_create(article=seed, creator=editor, motivation="commenting", selectors=where, body=Body("Secretnote"))
    entity_tag_add(
        article=seed, entity=entity_create(name="Michelle Bachelet", aliases=["Bachelet Jeria"]), user=editor
    )
    assert ranked_headlines("Bachelet") == []
    search_index_update(article_ids=[seed.pk])
    assert ranked_headlines("Ombudsperson") == [seed.headline]
    assert ranked_headlines("Secretnote") == []
    assert ranked_headlines("Bachelet") == ranked_headlines("Jeria") == [seed.headline]


@pytest.mark.django_db
def test_filters_by_entity_tag_outlet_and_dates(indexed):
    seed, weather, _ = indexed
    editor = make_member("editor", "Editor")
    minsk = entity_create(name="Minsk", kind="place")
    entity_tag_add(article=weather, entity=minsk, user=editor)
    weather.tags.add("farming")
    outlet = Outlet.objects.create(name="Belarus Today")
    Article.objects.filter(pk=seed.pk).update(
        outlet=outlet, published_on=date(2020, 8, 15), published_on_precision="day"
    )
    Article.objects.filter(pk=weather.pk).update(published_on=date(2021, 3, 1), published_on_precision="day")

    def with_filters(**filters):
        return ranked_headlines("protest", filters=SearchFilters(**filters))

    assert with_filters(entity=minsk) == [weather.headline]
    assert with_filters(tag=weather.tags.get()) == [weather.headline]
    assert with_filters(outlet=outlet) == [seed.headline]
    assert with_filters(date_from=date(2020, 8, 1), date_to=date(2020, 8, 31)) == [seed.headline]
    assert with_filters(date_from=date(2021, 1, 1)) == [weather.headline]


@pytest.mark.django_db
def test_the_index_follows_imports_and_revisions(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed = import_seed()
    assert ranked_headlines("Belchett") == [seed.headline]
    assert ArticleSearch.objects.filter(article=seed).exists()
    text = seed.current_revision.text
    start = text.index("Belchett")
    with django_capture_on_commit_callbacks(execute=True):
        article_revise(
            article=seed,
            edits=[(start, start + 8, "Bachelet")],
            author=make_member("e", "Editor"),
            message="Name",
            base=seed.current_revision,
        )
    assert ranked_headlines("Belchett") == [] and ranked_headlines("Bachelet") == [seed.headline]


@pytest.mark.django_db
def test_rebuild_indexes_every_article():
    articles = [make_article(f"Rebuild {n} zeppelin") for n in range(3)]
    assert ranked_headlines("zeppelin") == []
    done = []
    assert search_index_rebuild(progress=lambda n, total: done.append((n, total))) == 3
    assert sorted(ranked_headlines("zeppelin")) == sorted(a.headline for a in articles) and done == [(3, 3)]


def empty_the_index() -> None:
    """Lose every search document, as a database restored by hand or an index dropped by mistake would."""
    ArticleSearch.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 - a constant


def rebuild_command(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rebuild_search_index", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_the_rebuild_command_fills_an_emptied_index_again_and_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        articles = [make_article(f"Airship {n} dirigible") for n in range(3)]
    assert len(ranked_headlines("dirigible")) == 3
    empty_the_index()
    assert ranked_headlines("dirigible") == []
    for _ in range(2):  # idempotent: the second run finds the same and writes the same
        out, err = rebuild_command()
        assert out.strip() == "search index rebuilt: 3 articles indexed" and "indexed 3/3 articles" in err
        assert sorted(ranked_headlines("dirigible")) == sorted(a.headline for a in articles)
        assert ArticleSearch.objects.count() == 3


@pytest.mark.django_db
def test_the_rebuild_command_rewrites_named_articles_and_refuses_unknown_ones():
    first, second = make_article("Balloon ascent"), make_article("Balloon descent")
    with pytest.raises(CommandError, match="no article has the slug 'no-such-article'; nothing was indexed"):
        rebuild_command("--article", first.slug, "--article", "no-such-article")
    assert ranked_headlines("balloon") == []
    assert rebuild_command("--article", second.slug)[0].strip() == "search index rebuilt: 1 article indexed"
    assert ranked_headlines("balloon") == [second.headline]


@pytest.mark.django_db
def test_an_admin_edit_of_the_headline_refreshes_the_search_document(client, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from tests.archive.test_admin import form_data

    with django_capture_on_commit_callbacks(execute=True):
        article = import_seed()
    client.force_login(get_user_model().objects.create_superuser("root", password="a-long-test-password"))
    url = reverse("admin:archive_article_change", args=[article.pk])
    for headline in ("Ocelots seen in Minsk", "Pangolins seen in Minsk"):
        form = form_data(client.get(url).content.decode()) | {"headline": headline}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert ranked_headlines(headline.split()[0]) == [headline]
    assert ranked_headlines("Ocelots") == [], "the old headline is still in the search document"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ODD_QUERIES)
def test_odd_queries_never_error_in_the_engine(indexed, raw):
    ranked_headlines(raw)
    ranked_headlines(raw, any_of=True)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=120))
def test_arbitrary_text_never_errors_in_the_engine(indexed, raw):
    ranked_headlines(raw)


@pytest.mark.django_db
def test_common_terms_rank_only_the_newest_pool(monkeypatch):
    monkeypatch.setattr("annotations.search.POOL_SIZE", 3)
    articles = [make_article(f"Common story {n}") for n in range(5)]
    draft = make_article("Common draft", publish=False)
    search_index_update(article_ids=[a.pk for a in [*articles, draft]])
    outcome = search_articles(parse_query("common"))
    assert not outcome.complete and outcome.total == 3  # the newest three published matches
    assert {pk for pk, _ in outcome.ranked} == {a.pk for a in articles[2:]}
    assert {pk for pk, _ in search_articles(parse_query("common"), exclude=[articles[4].pk]).ranked} == {
        a.pk for a in articles[1:4]
    }
    assert search_articles(parse_query('"story 4"')).complete and POOL_SIZE == 1000


@pytest.mark.django_db
def test_spelling_suggestion_from_names_of_entities_the_user_may_see():
    entity = entity_create(name="Sviatlana Tsikhanouskaya", kind="person", aliases=["Tikhanovskaya"])
    editor = make_member("editor", "Editor")
    entity_tag_add(article=make_article("Tsikhanouskaya draft", publish=False), entity=entity, user=editor)
    assert spelling_suggestion(parse_query("Tikanovskaya protests")) is None  # readers: she has no public page
    assert spelling_suggestion(parse_query("Tikanovskaya protests"), user=editor) == "Tikhanovskaya protests"
    entity_tag_add(article=make_article("Tsikhanouskaya speaks"), entity=entity, user=editor)
    assert spelling_suggestion(parse_query("Tikanovskaya protests")) == "Tikhanovskaya protests"
    assert spelling_suggestion(parse_query("Tikhanovskaya")) is None


# --------------------------------------------------------------------------- the page


@pytest.mark.django_db
def test_search_page_shows_ranked_results_with_marked_snippets(client, indexed):
    seed, *_ = indexed
    html = client.get("/search", {"q": "Tikhnovskaya"}).content.decode()
    assert "1 article" in html and seed.headline in html
    assert "<mark>Tikhnovskaya</mark>" in html
    assert 'role="search"' in html and '<label for="id_q">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ODD_QUERIES)
def test_search_page_never_errors(client, indexed, raw):
    response = client.get("/search", {"q": raw, "sort": "date", "page": "x"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_search_page_escapes_and_handles_bad_filters(client, indexed):
    html = client.get("/search", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html
    for params in [{"outlet": "999"}, {"date_from": "yesterday"}, {"entity": "no-such"}, {"tag": "../x"}]:
        assert client.get("/search", {"q": "Lukashenko", **params}).status_code == 200


@pytest.mark.django_db
def test_filters_alone_list_articles_and_entities_are_offered(client, indexed):
    seed, weather, _ = indexed
    minsk = entity_create(name="Minsk", kind="place")
    entity_tag_add(article=weather, entity=minsk, user=make_member("editor", "Editor"))
    html = client.get("/search", {"entity": "minsk"}).content.decode()
    assert weather.headline in html and seed.headline not in html
    html = client.get("/search", {"q": "minsk"}).content.decode()
    assert 'href="/entities/minsk/"' in html


@pytest.mark.django_db
def test_search_page_paginates_and_queries_stay_flat(client, django_assert_max_num_queries):
    articles = [make_article(f"Harvest report {n}") for n in range(3)]
    search_index_update(article_ids=[a.pk for a in articles])
    with django_assert_max_num_queries(12) as first:
        client.get("/search", {"q": "harvest"})
    more = [make_article(f"Harvest news {n}", paragraphs=3) for n in range(45)]
    search_index_update(article_ids=[a.pk for a in more])
    with django_assert_max_num_queries(len(first)):
        html = client.get("/search", {"q": "harvest", "page": "2"}).content.decode()
    assert "48 articles" in html and "Page 2 of 3" in html and html.count('class="article-card"') == 20


@pytest.mark.django_db
def test_imported_article_is_found_by_the_page(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article_import(data=b"Grodno factory strike\n\nWorkers walked out in Grodno.\n", filename="g.txt", publish=True)
    assert "Grodno factory strike" in client.get("/search", {"q": "grodno"}).content.decode()


@pytest.mark.django_db
def test_distinctive_words_leave_out_what_half_the_archive_says():
    from django.core.cache import cache

    from annotations.search import distinctive_words

    articles = [make_article(f"Harbour news {n} about quayside{n}") for n in range(40)]
    search_index_update(article_ids=[a.pk for a in articles])
    cache.clear()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE annotations_articlesearch")
        # "harbour" is in every document, "the" is a stop word: neither says what one article is about.
        assert distinctive_words(["the", "Harbour", "quayside7", "Zeppelin"], limit=5) == ["quayside7", "Zeppelin"]
    else:  # SQLite keeps no statistics of the index: the words are kept as they are
        assert distinctive_words(["the", "Harbour", "quayside7"], limit=2) == ["the", "Harbour"]
    cache.clear()


@pytest.mark.django_db
def test_renaming_an_entity_refreshes_its_articles_documents(indexed, django_capture_on_commit_callbacks):
    from annotations.services.entities import EntityError, entity_update

    seed, *_ = indexed
    editor, reviewer = make_member("editor", "Editor"), make_member("reviewer", "Reviewer")
    bachelet = entity_create(name="Michelle Bachelet", kind="person")
    with django_capture_on_commit_callbacks(execute=True):
        entity_tag_add(article=seed, entity=bachelet, user=editor)
    assert ranked_headlines("Jeria") == []
    with django_capture_on_commit_callbacks(execute=True):
        entity_update(entity=bachelet, user=reviewer, aliases=["Verónica Michelle Bachelet Jeria", "Bachelet"])
    assert ranked_headlines("Jeria") == [seed.headline]
    with pytest.raises(EntityError, match="Wikidata"):
        entity_update(entity=bachelet, user=reviewer, wikidata_id="12")
    with pytest.raises(EntityError, match="cannot be changed here: slug"):
        entity_update(entity=bachelet, user=reviewer, slug="x")
