"""The public article page with annotations: numbered notes, marks both ways, privacy, query bounds."""

import re

import pytest

from annotations.services.revising import article_revise
from tests.factories import import_seed, make_note, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return import_seed()


@pytest.fixture
def editor():
    return make_user("editor")


def note(article, quote, user, visibility="public", motivation="commenting", body="A note"):
    return make_note(article, quote, user, body=body, visibility=visibility, motivation=motivation)


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_public_notes_are_numbered_in_text_order_and_linked_both_ways(client, seed, editor):
    note(seed, "Belchett", editor, motivation="questioning", body="Is this Bachelet?")
    note(seed, "calm the winds", editor, body="Literal idiom.")
    html = page(client, seed)
    assert html.index('id="mark-1"') < html.index('id="mark-2"')
    assert re.search(
        r'<mark class="note-mark">calm the winds</mark><a class="note-ref" id="ref-note-1" href="#note-1">', html
    )
    assert '<li id="note-2" value="2" class="note note-questioning">' in html
    assert 'href="#ref-note-2">Back to the passage “Belchett”' in html
    assert "Is this Bachelet?" in html and "Question" in html


def test_private_and_editor_notes_never_reach_readers(client, seed, editor):
    note(seed, "Belchett", editor, visibility="editors", body="editors only")
    note(seed, "Pompeo", editor, visibility="private", body="just mine")
    html = page(client, seed)
    assert "editors only" not in html and "just mine" not in html and "note-mark" not in html


def test_note_bodies_are_escaped(client, seed, editor):
    note(seed, "Belchett", editor, body='<script>alert("x")</script><img src=x onerror=alert(1)>')
    html = page(client, seed)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html


def test_a_note_whose_words_were_replaced_is_still_shown_on_the_new_words(client, seed, editor):
    belchett = note(seed, "Belchett", editor, body="Name is wrong")
    start = seed.current_revision.text.index("Belchett")
    article_revise(
        article=seed, edits=[(start, start + 8, "Bachelet")], author=editor, message="fix", base=seed.current_revision
    )
    seed.refresh_from_db()
    html = page(client, seed)
    belchett.refresh_from_db()
    assert belchett.anchor_state == "needs_review"
    assert '<mark class="note-mark">Bachelet</mark>' in html


def test_page_queries_stay_flat_with_500_annotations(client, seed, editor, django_assert_max_num_queries):
    note(seed, "Belchett", editor)
    # article, corrections, mentions, notes, their replies, entity chips, related links, external links
    bound = 8
    with django_assert_max_num_queries(bound):
        page(client, seed)
    words = [m.group() for m in re.finditer(r"[A-Z][a-z]{3,}", seed.current_revision.text)]
    for n in range(499):
        note(seed, words[n % len(words)], editor, visibility="public" if n % 2 else "editors")
    with django_assert_max_num_queries(bound):
        html = page(client, seed)
    spans = seed.current_revision.spans
    shown = [s for s in spans if s.kind in ("headline", "paragraph", "caption")]
    public = seed.annotations.filter(visibility="public")
    expected = sum(1 for a in public if any(s.start <= a.start and a.end <= s.end for s in shown))
    assert 200 < expected < 250 and html.count('class="note-ref"') == expected
    assert html.count('class="note note-') == 250
