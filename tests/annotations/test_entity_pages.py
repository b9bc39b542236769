"""Public entity and topic pages: kinds and counts, articles newest first, merges redirect, bounded queries."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.models import EntitySuggestion
from annotations.services.entities import entities_load, entity_create, entity_merge, entity_tag_add
from annotations.services.entity_suggestions import entities_suggest, suggestion_confirm
from archive.models import Article
from tests.factories import import_seed, make_article, make_member

pytestmark = pytest.mark.django_db

RECORDS = json.loads((Path(__file__).resolve().parents[2] / "seeds" / "entities.json").read_text("utf-8"))


@pytest.fixture
def editor():
    return make_member("editor", "Editor")


def tagged(headline, entity, editor, *, publish=True, days_ago=0):
    article = make_article(headline, publish=publish)
    if publish:
        Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timezone.timedelta(days=days_ago))
    entity_tag_add(article=article, entity=entity, user=editor)
    return article


def test_confirmed_seed_suggestions_fill_the_entity_pages(client):
    entities_load(records=RECORDS)
    seed = import_seed()
    entities_suggest(articles=[seed])
    reviewer = make_member("reviewer", "Reviewer")
    for suggestion in EntitySuggestion.objects.filter(entity__isnull=False):
        suggestion_confirm(suggestion=suggestion, user=reviewer)
    html = client.get(reverse("annotations:entity_detail", args=["sviatlana-tsikhanouskaya"])).content.decode()
    assert seed.headline in html
    assert "Mentioned as Svetlana Tikhnovskaya, Tiknovskaya, Tikhnovskaya" in html
    listing = client.get(reverse("annotations:entity_list")).content.decode()
    for name in ["Alexander Lukashenko", "Michelle Bachelet", "Kremlin", "NATO", "Poland"]:
        assert name in listing
    assert "2020 Belarusian protests" not in listing  # no published article is about it
    belarus = client.get("/entities/belarus/").content.decode()
    assert 'href="https://www.wikidata.org/wiki/Q184"' in belarus and "Country in Eastern Europe." in belarus


def test_list_groups_by_kind_with_published_counts(client, editor):
    person, place = entity_create(name="Maria Kalesnikava", kind="person"), entity_create(name="Minsk", kind="place")
    tagged("Kalesnikava detained", person, editor)
    tagged("Kalesnikava in court", person, editor)
    tagged("Minsk draft", place, editor, publish=False)
    html = client.get("/entities/").content.decode()
    assert '<h2 id="kind-1">Person</h2>' in html and "2 articles" in html
    assert "Minsk" not in html
    client.force_login(editor)
    html = client.get("/entities/?kind=place").content.decode()
    assert "Minsk" in html and "1 article</span>" in html and "Kalesnikava" not in html  # editors count drafts


def test_detail_lists_visible_articles_newest_first_with_wikidata(client, editor):
    entity = entity_create(
        name="Alexander Lukashenko", kind="person", wikidata_id="Q22715", description="President of Belarus."
    )
    tagged("Older report", entity, editor, days_ago=5)
    tagged("Newer report", entity, editor, days_ago=1)
    tagged("Hidden draft", entity, editor, publish=False)
    response = client.get(entity.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer report") < html.index("Older report") and "Hidden draft" not in html
    assert "President of Belarus." in html and 'href="https://www.wikidata.org/wiki/Q22715"' in html
    assert "<dd>Person</dd>" in html
    client.force_login(editor)
    assert "Hidden draft" in client.get(entity.get_absolute_url()).content.decode()


def test_a_merged_entity_page_redirects_permanently(client, editor):
    reviewer = make_member("reviewer", "Reviewer")
    old, middle, final = (entity_create(name=n, kind="person") for n in ("Tikhanovskaya", "Tsikhanovskaya", "Tsikh"))
    entity_merge(source=old, target=middle, user=reviewer)
    entity_merge(source=middle, target=final, user=reviewer)
    assert client.get(old.get_absolute_url()).status_code == 404  # no published article is about it yet
    tagged("Tsikh speaks", final, editor)
    response = client.get(old.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == final.get_absolute_url()
    assert client.get(middle.get_absolute_url())["Location"] == final.get_absolute_url()
    assert client.get("/entities/nobody/").status_code == 404


def test_names_are_escaped(client, editor):
    entity = entity_create(name="<script>alert(1)</script> Group", kind="organization", description="<b>bold</b>")
    tagged("Escaping", entity, editor)
    for url in [entity.get_absolute_url(), "/entities/"]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<b>bold</b>" not in client.get(entity.get_absolute_url()).content.decode()


def test_entities_and_tags_no_published_article_is_about_have_no_public_page(
    client, editor, django_assert_max_num_queries
):
    from annotations.anchoring import Selectors
    from annotations.services.entities import mention_create

    drafted = entity_create(name="Maria Kalesnikava", kind="person")
    tagged("Kalesnikava draft", drafted, editor, publish=False)
    hidden = entity_create(name="Viktar Babaryka", kind="person")
    published = make_article("Babaryka report")
    mention_create(
        article=published, user=editor, selectors=Selectors(exact="Babaryka"), entity=hidden, visibility="editors"
    )
    make_article("Secret topic draft", publish=False).tags.add("unannounced")
    pages = [drafted.get_absolute_url(), hidden.get_absolute_url(), "/tags/unannounced/"]
    for url in pages:
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 404, url
    listing = client.get("/entities/").content.decode()
    assert "Kalesnikava" not in listing and "Babaryka" not in listing
    for query in ({"q": "Kalesnikava"}, {"q": "Babaryka"}, {"q": "report", "entity": hidden.slug}):
        html = client.get("/search", query).content.decode()
        assert drafted.get_absolute_url() not in html and hidden.get_absolute_url() not in html, query
        assert "Viktar Babaryka" not in html
    client.force_login(editor)
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert "Kalesnikava draft" in client.get(drafted.get_absolute_url()).content.decode()
    assert f'href="{hidden.get_absolute_url()}"' in client.get("/search", {"q": "Babaryka"}).content.decode()
    client.logout()
    entity_tag_add(article=published, entity=hidden, user=editor)  # now an article readers see is about him
    assert "Babaryka report" in client.get(hidden.get_absolute_url()).content.decode()


def test_tag_page_lists_the_topic_newest_first(client):
    old, new = make_article("Protest older"), make_article("Protest newer")
    Article.objects.filter(pk=old.pk).update(published_at=timezone.now() - timezone.timedelta(days=3))
    for article in (old, new):
        article.tags.add("protests")
    make_article("Other topic", publish=False).tags.add("protests")
    html = client.get(reverse("annotations:tag_detail", args=["protests"])).content.decode()
    assert html.index("Protest newer") < html.index("Protest older") and "Other topic" not in html
    assert "Topic: protests" in html
    assert client.get("/tags/nothing/").status_code == 404


def test_entity_pages_queries_do_not_grow(client, editor, django_assert_max_num_queries):
    person = entity_create(name="Ihar Losik", kind="person")
    place = entity_create(name="Brest", kind="place")
    reader = client
    for n in range(2):
        tagged(f"Losik story {n}", person, editor)
    counts = {}
    for url in ["/entities/", person.get_absolute_url()]:
        with django_assert_max_num_queries(10) as captured:
            reader.get(url)
        counts[url] = len(captured)
    for n in range(25):
        tagged(f"More Losik {n}", person, editor)
        tagged(f"Brest {n}", place, editor)
        make_article(f"Topic {n}").tags.add("prisoners")
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            assert reader.get(url).status_code == 200
    with django_assert_max_num_queries(count):
        assert reader.get("/tags/prisoners/").status_code == 200


def test_entity_and_link_changes_refresh_the_cached_article_pages(client, editor):
    from annotations.services.links import article_link_create

    article, other = make_article("Cached report"), make_article("Linked report")
    entity = entity_create(name="Grodno", kind="place")
    assert "Grodno" not in client.get(article.get_absolute_url()).content.decode()  # now cached for readers
    client.get(other.get_absolute_url())
    entity_tag_add(article=article, entity=entity, user=editor)
    assert 'href="/entities/grodno/"' in client.get(article.get_absolute_url()).content.decode()
    article_link_create(source=article, target=other, kind="follow-up", user=editor)
    assert "Cached report" in client.get(other.get_absolute_url()).content.decode()


def test_reader_helpers_are_one_query_each_whatever_the_mentions(editor, django_assert_num_queries):
    from annotations.anchoring import Selectors
    from annotations.reading_entities import entity_chips, mentions_for_reader
    from annotations.services.entities import mention_create

    entities_load(records=RECORDS)
    seed = import_seed()
    text = seed.current_revision.text
    from annotations.models import Entity

    luka, belarus = Entity.objects.get(name="Alexander Lukashenko"), Entity.objects.get(name="Belarus")
    start = text.index("Alexander Lukashenko")
    mention_create(article=seed, user=editor, selectors=Selectors(None, start=start, end=start + 20), entity=luka)
    mention_create(article=seed, user=editor, selectors=Selectors(None, start=start + 10, end=start + 20), entity=luka)
    position = -1
    for _ in range(8):
        position = text.index("Belarus", position + 1)
        mention_create(
            article=seed, user=editor, selectors=Selectors("Belarus", start=position, end=position + 7), entity=belarus
        )
    seed = Article.objects.get(pk=seed.pk)
    with django_assert_num_queries(1):
        chips = entity_chips(seed)
    with django_assert_num_queries(1):
        highlights = mentions_for_reader(seed)
    assert [(c.name, c.kind, c.url) for c in chips] == [
        ("Alexander Lukashenko", "person", "/entities/alexander-lukashenko/"),
        ("Belarus", "place", "/entities/belarus/"),
    ]
    assert len(highlights) == 9  # the nested "Lukashenko" inside "Alexander Lukashenko" is left to the outer one
    first = next(h for h in highlights if h.label == "Alexander Lukashenko")
    assert (first.start, first.end, first.href) == (start, start + 20, "/entities/alexander-lukashenko/")
