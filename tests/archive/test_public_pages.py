"""Public pages: what readers see, drafts hidden, escaping and query bounds."""

import re

import pytest
from django.urls import reverse

from archive.services import article_import
from tests.factories import import_seed, make_article, make_user

pytestmark = pytest.mark.django_db


def test_seed_article_page_shows_paragraphs_and_captions_only(client):
    article = import_seed()
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    body = html[html.index('class="article-body"') : html.index('class="article-footer"')]
    assert body.count("<p>") == 9
    assert html.count("<figcaption>") == 3
    assert "Belarus riots: Putin’s response and US intervention</h1>" in html
    assert "revolutionary mask" not in html
    assert "Please enter your comment" not in html and "Please enter your name" not in html
    assert html.count("Belarusian President Alexander Lukashenko (Photo") == 1


def test_original_page_shows_the_bytes_verbatim_with_checksum(client):
    article = import_seed()
    original = article.originals.get()
    response = client.get(reverse("archive:original_detail", args=[article.slug]))
    html = response.content.decode()
    assert original.sha256 in html
    assert "Please enter your comment!" in html and "revolutionary mask" in html
    assert "(Photo: Sergei Gapon / Pool via REUTERS)Belarusian President" in html
    assert (
        'href="/articles/belarus-riots-putins-response-and-us-intervention/original/"'
        in client.get(article.get_absolute_url()).content.decode()
    )


def test_drafts_are_404_to_anonymous_but_visible_to_editors(client):
    draft = import_seed(publish=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("archive:original_detail", args=[draft.slug])).status_code == 404
    assert draft.headline not in client.get("/").content.decode()
    client.force_login(make_user("editor", perms=("archive.view_article",)))
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Draft: readers cannot see" in response.content.decode()


def test_script_in_imported_text_is_escaped_everywhere(client):
    data = b"<script>alert('h')</script> headline\n\nA paragraph with <img src=x onerror=alert(1)> inside.\n"
    article = article_import(data=data, filename="x.txt", publish=True).article
    for url in ["/", article.get_absolute_url(), reverse("archive:original_detail", args=[article.slug])]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(" in html, url


def test_list_is_paginated_newest_first(client):
    for n in range(25):
        make_article(f"Report number {n:02d}")
    first = client.get("/").content.decode()
    assert re.findall(r"Report number \d+", first)[:2] == ["Report number 24", "Report number 23"]
    assert first.count('class="article-card"') == 20
    second = client.get("/?page=2").content.decode()
    assert second.count('class="article-card"') == 5
    assert client.get("/?page=9").status_code == 404


def test_list_queries_do_not_grow_with_rows(client, django_assert_max_num_queries):
    make_article("One")
    with django_assert_max_num_queries(2):
        client.get("/")
    for n in range(30):
        make_article(f"More {n}")
    with django_assert_max_num_queries(2):
        client.get("/")


def test_article_and_original_pages_have_bounded_queries(client, django_assert_max_num_queries):
    article = import_seed()
    # article, notes, corrections, mentions, entity chips, related links, external links
    with django_assert_max_num_queries(7):
        assert client.get(article.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("archive:original_detail", args=[article.slug])).status_code == 200


def test_unknown_article_is_404(client):
    assert client.get("/articles/no-such-article/").status_code == 404


def test_article_pages_advertise_their_annotation_container(client):
    article = import_seed()
    response = client.get(article.get_absolute_url())
    container = "http://testserver/articles/belarus-riots-putins-response-and-us-intervention/annotations/"
    assert response["Link"] == f'<{container}>; rel="http://www.w3.org/ns/oa#annotationService"'
    assert '<link rel="http://www.w3.org/ns/oa#annotationService" href="/articles/' in response.content.decode()
    assert client.get(article.get_absolute_url())["Link"] == response["Link"]  # from the page cache too
