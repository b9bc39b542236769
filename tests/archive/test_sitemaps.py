"""/sitemap.xml and /robots.txt: published articles and public entity pages only, in bounded queries."""

import re

import pytest
from django.urls import reverse

from annotations.anchoring import Selectors
from annotations.services.entities import entity_create, entity_tag_add, mention_create
from tests.factories import make_article, make_member

pytestmark = pytest.mark.django_db


def locations(xml: str) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", xml)


def test_the_sitemap_lists_published_articles_and_public_entities_only(client, django_assert_max_num_queries):
    editor = make_member("sitemap-editor", "Editor")
    shown = [make_article(f"Published report {n}") for n in range(3)]
    draft = make_article("Secret draft", publish=False)
    public = entity_create(name="Sviatlana Tsikhanouskaya", kind="person")
    entity_tag_add(article=shown[0], entity=public, user=editor)
    drafted = entity_create(name="Maria Kalesnikava", kind="person")
    entity_tag_add(article=draft, entity=drafted, user=editor)
    hidden = entity_create(name="Viktar Babaryka", kind="person")
    mention_create(
        article=shown[1], user=editor, selectors=Selectors(exact="Published"), entity=hidden, visibility="editors"
    )

    index = client.get(reverse("sitemap"))
    assert index.status_code == 200 and index["Content-Type"].startswith("application/xml")
    sections = locations(index.content.decode())
    assert sections == ["http://testserver/sitemap-articles.xml", "http://testserver/sitemap-entities.xml"]
    with django_assert_max_num_queries(2):
        articles = locations(client.get("/sitemap-articles.xml").content.decode())
    assert sorted(articles) == sorted(f"http://testserver{article.get_absolute_url()}" for article in shown)
    with django_assert_max_num_queries(2):
        entities = locations(client.get("/sitemap-entities.xml").content.decode())
    assert entities == [f"http://testserver{public.get_absolute_url()}"]
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_sitemap_keeps_its_query_count_with_many_articles(client, django_assert_max_num_queries):
    for n in range(30):
        make_article(f"Report number {n}")
    with django_assert_max_num_queries(2):
        assert len(locations(client.get("/sitemap-articles.xml").content.decode())) == 30


def test_robots_txt_keeps_crawlers_out_of_the_private_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for prefix in ("/editor/", "/admin/", "/accounts/"):
        assert f"Disallow: {prefix}\n" in text
    assert "Sitemap: http://testserver/sitemap.xml\n" in text
    assert client.post("/robots.txt").status_code == 405
