"""Issue 4 acceptance on the page readers see: every seed error fixed, marked, listed and in JSON-LD."""

import json
import re

import pytest
from django.urls import reverse

from annotations.services.corrections import corrections_accept
from tests.annotations.test_corrections import SEED_ERRORS, propose

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def corrected(seed, editor, reviewer):
    proposals = [
        propose(seed, quote, replacement, editor, category=category, severity=severity, occurrence=occurrence)
        for quote, occurrence, replacement, category, severity in SEED_ERRORS
    ]
    corrections_accept(corrections=proposals[:4], reviewer=reviewer)
    corrections_accept(corrections=proposals[4:], reviewer=reviewer)
    seed.refresh_from_db()
    return seed


def test_the_public_page_shows_each_fix_marked_with_its_footnote(client, corrected):
    html = page(client, corrected.get_absolute_url())
    for fixed in [
        "Bachelet",
        "Sviatlana Tsikhanouskaya",
        "Tsikhanouskaya",
        "calm tensions",
        "The candidate decided",
        "entering his sixth term",
        "Lukashenko with more than",
    ]:
        assert re.search(rf'<ins class="correction" title="[^"]*">{re.escape(fixed)}</ins>', html), fixed
    assert '<ins class="correction" title="corrected from ‘Belchett’ — name or term spelling">Bachelet</ins>' in html
    start = html.index('<div class="article-body">')
    body = html[start : html.index("</div>", start)]
    words = re.sub(r"<[^>]+>", "", body)  # the text readers read (the footnotes keep the old words)
    for wrong in ["Belchett", "Tikhnovskaya", "Tiknovskaya", "calm the winds", "contestant", "Spoke", "Argued"]:
        assert wrong not in words, wrong


def test_the_corrections_box_lists_every_fix_with_its_date_and_original(client, corrected):
    html = page(client, corrected.get_absolute_url())
    box = html[html.index('<section class="corrections"') :]
    assert box.count('<li id="correction-') == len(SEED_ERRORS)
    assert "“Bachelet” corrected from ‘Belchett’ — name or term spelling" in box
    assert "corrected from ‘calm the winds’ — literal translation" in box
    assert 'href="/articles/belarus-riots-putins-response-and-us-intervention/original/"' in box
    assert "?from=1&amp;to=3" in box
    assert "MQM score" in box
    # each footnote marker in the text points at its entry, and back
    for number in range(1, len(SEED_ERRORS) + 1):
        assert f'href="#correction-{number}"' in html and f'href="#ref-correction-{number}"' in html


def test_the_news_article_json_ld_carries_a_correction_per_fix(client, corrected):
    html = page(client, corrected.get_absolute_url())
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "NewsArticle" and data["headline"] == corrected.headline
    assert len(data["correction"]) == len(SEED_ERRORS)
    assert all(item["@type"] == "CorrectionComment" and item["datePublished"] for item in data["correction"])
    assert any("“Belchett” to “Bachelet”" in item["text"] for item in data["correction"])


def test_the_original_and_the_diff_still_show_the_machine_translation(client, corrected):
    original = page(client, reverse("archive:original_detail", args=[corrected.slug]))
    assert "Michelle Belchett, Condemned" in original
    diff = page(client, reverse("annotations:revision_diff", args=[corrected.slug]) + "?from=1&to=3")
    assert "Belchett" in diff and "Bachelet" in diff


def test_json_ld_cannot_be_broken_out_of_by_a_headline(client, seed, editor, reviewer):
    from archive.services import article_import

    article = article_import(
        data=b"</script><script>alert(1)</script>\n\nText of it.\n", filename="x.txt", publish=True
    ).article
    html = page(client, article.get_absolute_url())
    assert "<script>alert(1)" not in html
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(raw)["headline"] == "</script><script>alert(1)</script>"
