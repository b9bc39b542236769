"""Revisions: restoring old text as a new revision, the history page and word-level diffs."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from annotations.anchoring import Selectors, apply_edits
from annotations.services.annotating import annotation_create
from annotations.services.corrections import (
    CorrectionError,
    correction_accept,
    correction_propose,
    corrections_accept,
    revision_restore,
    text_edits,
)
from archive.services import RevisionConflict, article_import
from tests.factories import import_seed, make_member

pytestmark = pytest.mark.django_db


def propose(article, quote, replacement, user, category="terminology"):
    article.refresh_from_db()
    start = article.current_revision.text.index(quote)
    return correction_propose(
        article=article,
        proposer=user,
        span=(start, start + len(quote)),
        replacement=replacement,
        category=category,
    )


def comment(article, quote, user):
    article.refresh_from_db()
    return annotation_create(
        article=article, creator=user, motivation="commenting", selectors=Selectors(exact=quote), visibility="public"
    )


def fix_names(seed, editor, reviewer):
    """Revision 2: Belchett and Spoke fixed."""
    return corrections_accept(
        corrections=[propose(seed, "Belchett", "Bachelet", editor), propose(seed, "Spoke", "spoke", editor, "markup")],
        reviewer=reviewer,
    ).revision


# --------------------------------------------------------------------------- text_edits (pure)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("the quick brown fox", "the slow brown fox jumps"),
        ("", "all new"),
        ("all gone", ""),
        ("Block one.\n\nBlock two.\n\nBlock three.", "Block one.\n\nBlock three, changed."),
        ("same", "same"),
    ],
)
def test_text_edits_turn_the_old_text_into_the_new_one(old, new):
    edits = text_edits(old, new)
    assert apply_edits(old, edits) == new
    assert [e[0] for e in edits] == sorted((e[0] for e in edits), reverse=True)


# --------------------------------------------------------------------------- restoring


def test_restore_makes_a_new_revision_with_the_old_text_and_keeps_history(seed, editor, reviewer):
    first = seed.current_revision
    second = fix_names(seed, editor, reviewer)
    note = comment(seed, "Vladimir Putin", editor)
    outcome = revision_restore(article=seed, revision=first, user=reviewer, base=second)
    third = outcome.revision
    assert third.number == 3 and third.parent == second and third.author == reviewer
    assert third.message == "Restored revision 1"
    assert third.text == first.text and third.blocks == first.blocks
    assert "Belchett" in third.text and seed.revisions.count() == 3
    assert "Bachelet" in seed.revisions.get(number=2).text  # history is never rewritten
    seed.refresh_from_db()
    assert seed.current_revision == third
    note.refresh_from_db()
    assert note.revision == third and third.text[note.start : note.end] == "Vladimir Putin"


def test_restore_carries_annotations_and_flags_open_proposals_on_changed_words(seed, editor, reviewer):
    first = seed.current_revision
    fix_names(seed, editor, reviewer)
    on_fix = propose(seed, "Michelle Bachelet", "Michelle Bachelet (UN)", editor, "addition")
    elsewhere = propose(seed, "calm the winds", "calm tensions", editor, "style")
    seed.refresh_from_db()
    outcome = revision_restore(article=seed, revision=first, user=reviewer)
    assert [c.pk for c in outcome.needs_rebase] == [on_fix.pk]
    elsewhere.refresh_from_db()
    assert elsewhere.state == "proposed"
    correction_accept(correction=elsewhere, reviewer=reviewer)
    seed.refresh_from_db()
    assert "calm tensions" in seed.current_revision.text and "Belchett" in seed.current_revision.text


def test_restore_refreshes_the_search_document(seed, editor, reviewer, django_capture_on_commit_callbacks):
    from annotations.search import search_articles
    from annotations.search_query import parse_query
    from archive.models import Article

    first = seed.current_revision
    with django_capture_on_commit_callbacks(execute=True):
        fix_names(seed, editor, reviewer)

    def found(word):
        return search_articles(parse_query(word), articles=Article.objects.all()).total

    assert (found("Belchett"), found("Bachelet")) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        revision_restore(article=seed, revision=first, user=reviewer)
    assert (found("Belchett"), found("Bachelet")) == (1, 0)


def test_restore_of_a_stale_page_or_the_current_text_is_refused(seed, editor, reviewer):
    first = seed.current_revision
    fix_names(seed, editor, reviewer)
    with pytest.raises(RevisionConflict):
        revision_restore(article=seed, revision=first, user=reviewer, base=first)
    seed.refresh_from_db()
    with pytest.raises(CorrectionError, match="same text"):
        revision_restore(article=seed, revision=seed.current_revision, user=reviewer)
    with pytest.raises(PermissionDenied):
        revision_restore(article=seed, revision=first, user=editor)
    assert seed.revisions.count() == 2


# --------------------------------------------------------------------------- pages


def test_history_lists_revisions_with_author_message_and_words_changed(client, seed, editor, reviewer):
    fix_names(seed, editor, reviewer)
    response = client.get(reverse("annotations:revision_list", kwargs={"slug": seed.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 corrections" in html and "Imported" in html and "reviewer" in html
    assert "+2 / −2" in html
    assert f'href="/articles/{seed.slug}/diff/?from=1&amp;to=2"' in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>")[0]  # no restore for readers


def test_history_shows_restore_forms_to_reviewers_only(client, seed, editor, reviewer):
    fix_names(seed, editor, reviewer)
    url = reverse("annotations:revision_list", kwargs={"slug": seed.slug})
    client.force_login(editor)
    assert "Restore" not in client.get(url).content.decode()
    client.force_login(reviewer)
    html = client.get(url).content.decode()
    assert html.count('name="base" value="2"') == 1  # only the non-current revision
    assert "csrfmiddlewaretoken" in html


def test_restore_view_posts_through_the_service(client, seed, editor, reviewer):
    fix_names(seed, editor, reviewer)
    url = reverse("annotations:revision_restore", kwargs={"slug": seed.slug, "number": 1})
    client.force_login(reviewer)
    response = client.post(url, {"base": 2}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("annotations:revision_list", kwargs={"slug": seed.slug})
    assert "Revision 1 was restored as revision 3" in response.content.decode()
    stale = client.post(url, {"base": 2}, follow=True).content.decode()
    assert "Nothing was restored" in stale and seed.revisions.count() == 3


def test_restore_view_refuses_editors_anonymous_and_get(client, seed, editor, reviewer):
    fix_names(seed, editor, reviewer)
    url = reverse("annotations:revision_restore", kwargs={"slug": seed.slug, "number": 1})
    assert client.post(url, {"base": 2}).status_code == 302  # to the login page
    client.force_login(editor)
    assert client.post(url, {"base": 2}).status_code == 403
    client.force_login(reviewer)
    assert client.get(url).status_code == 405
    assert seed.revisions.count() == 2


def test_restore_view_checks_csrf(seed, editor, reviewer):
    from django.test import Client

    fix_names(seed, editor, reviewer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    url = reverse("annotations:revision_restore", kwargs={"slug": seed.slug, "number": 1})
    assert client.post(url, {"base": 2}).status_code == 403
    assert seed.revisions.count() == 2


def test_diff_marks_deletions_and_insertions_readably_without_colour(client, seed, editor, reviewer):
    fix_names(seed, editor, reviewer)
    response = client.get(reverse("annotations:revision_diff", kwargs={"slug": seed.slug}), {"from": 1, "to": 2})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<del><span class="visually-hidden">[deleted: </span>Belchett<span class="visually-hidden">]</span></del>'
        in html
    )
    assert (
        '<ins><span class="visually-hidden">[inserted: </span>Bachelet<span class="visually-hidden">]</span></ins>'
        in html
    )
    assert "2 words inserted, 2 words deleted" in html
    assert "Vladimir Putin, <del>" in html  # unchanged text stays as is around the change


def test_diff_defaults_to_first_import_against_current_and_handles_bad_input(client, seed, editor, reviewer):
    fix_names(seed, editor, reviewer)
    url = reverse("annotations:revision_diff", kwargs={"slug": seed.slug})
    html = client.get(url).content.decode()
    assert "Changes from revision 1 to revision 2" in html
    assert client.get(url, {"from": "x"}).status_code == 400
    assert client.get(url, {"from": 1, "to": 9}).status_code == 404
    assert "same text" in client.get(url, {"from": 2, "to": 2}).content.decode()


def test_diff_escapes_imported_markup(client):
    data = b"A headline\n\nA paragraph with <b>bold</b> words.\n"
    article = article_import(data=data, filename="x.txt", publish=True).article
    reviewer = make_member("reviewer", "Reviewer")
    editor = make_member("editor", "Editor")
    correction_accept(correction=propose(article, "<b>bold</b>", "<i>bold</i>", editor, "markup"), reviewer=reviewer)
    html = client.get(reverse("annotations:revision_diff", kwargs={"slug": article.slug})).content.decode()
    assert "<b>" not in html and "<i>" not in html and "&gt;bold&lt;/" in html


def test_drafts_history_is_for_editors_only(client, editor):
    draft = import_seed(publish=False)
    urls = [
        reverse("annotations:revision_list", kwargs={"slug": draft.slug}),
        reverse("annotations:revision_diff", kwargs={"slug": draft.slug}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(editor)
    for url in urls:
        assert client.get(url).status_code == 200


def test_history_and_diff_queries_do_not_grow_with_revisions(
    client, seed, editor, reviewer, django_assert_max_num_queries
):
    history = reverse("annotations:revision_list", kwargs={"slug": seed.slug})
    diff = reverse("annotations:revision_diff", kwargs={"slug": seed.slug})
    fix_names(seed, editor, reviewer)
    with django_assert_max_num_queries(2):
        client.get(history)
    with django_assert_max_num_queries(2):
        client.get(diff)
    for quote, fixed in [("calm the winds", "calm tensions"), ("Argued", "argued"), ("Condemned", "condemned")]:
        correction_accept(correction=propose(seed, quote, fixed, editor, "style"), reviewer=reviewer)
    with django_assert_max_num_queries(2):
        html = client.get(history).content.decode()
    assert len(re.findall(r'<th scope="row">', html)) == 5
    with django_assert_max_num_queries(2):
        client.get(diff)
