"""The glossary: remembering fixes, suggestions on import and on demand, never applied or duplicated."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations.models import Correction, GlossaryEntry
from annotations.services.corrections import (
    CorrectionError,
    correction_accept,
    correction_propose,
    correction_reject,
    corrections_accept,
)
from annotations.services.glossary import GLOSSARY_USERNAME, glossary_remember, glossary_scan
from archive.services import article_import
from tests.factories import import_seed, make_member, seed_bytes

pytestmark = pytest.mark.django_db

FOLLOW_UP = (
    b"UN rights chief on Belarus\n\n"
    b"Michelle Belchet said on Monday that the arrests in Minsk must stop at once.\n\n"
    b"Belchett added that her office had received reports of torture.\n\n"
    b"Please enter your comment! Belchett\n"
)


def accepted(article, quote, replacement, editor, reviewer, category="terminology", reason="name spelling"):
    article.refresh_from_db()
    start = article.current_revision.text.index(quote)
    correction = correction_propose(
        article=article,
        proposer=editor,
        span=(start, start + len(quote)),
        replacement=replacement,
        category=category,
        reason=reason,
    )
    correction_accept(correction=correction, reviewer=reviewer)
    correction.refresh_from_db()
    return correction


def import_text(data, name, capture):
    with capture(execute=True):
        return article_import(data=data, filename=name, publish=True).article


def suggestions(article=None):
    rows = Correction.objects.filter(source="glossary").select_related("annotation")
    if article is not None:
        rows = rows.filter(annotation__article=article)
    return list(rows.order_by("annotation__start"))


# --------------------------------------------------------------------------- remembering


def test_remember_creates_an_entry_from_an_accepted_fix(editor, reviewer):
    correction = accepted(import_seed(), "Belchett", "Bachelet", editor, reviewer)
    entry = glossary_remember(correction=correction, user=reviewer)
    assert (entry.preferred, entry.wrong_forms, entry.category) == ("Bachelet", ["Belchett"], "terminology")
    assert entry.note == "name spelling" and entry.created_by == reviewer
    correction.refresh_from_db()
    assert correction.glossary_entry == entry


def test_remember_extends_the_entry_of_the_same_preferred_form_once(editor, reviewer):
    seed = import_seed()
    first = accepted(seed, "Tiknovskaya", "Tsikhanouskaya", editor, reviewer)
    second = accepted(seed, "Tikhnovskaya released", "Tsikhanouskaya released", editor, reviewer)
    entry = glossary_remember(correction=first, user=reviewer)
    again = glossary_remember(correction=first, user=reviewer)
    assert again.pk == entry.pk and again.wrong_forms == ["Tiknovskaya"]
    other = glossary_remember(correction=second, user=reviewer)
    assert other.pk != entry.pk  # a different preferred form ("Tsikhanouskaya released") is its own entry
    third = accepted(seed, "Svetlana Tikhnovskaya", "Tsikhanouskaya", editor, reviewer)
    assert glossary_remember(correction=third, user=reviewer).wrong_forms == ["Tiknovskaya", "Svetlana Tikhnovskaya"]
    assert GlossaryEntry.objects.count() == 2


def test_only_accepted_fixes_by_reviewers_are_remembered(editor, reviewer):
    seed = import_seed()
    start = seed.current_revision.text.index("Belchett")
    proposed = correction_propose(
        article=seed, proposer=editor, span=(start, start + 8), replacement="Bachelet", category="terminology"
    )
    with pytest.raises(CorrectionError, match="only an accepted correction"):
        glossary_remember(correction=proposed, user=reviewer)
    removal = accepted(seed, "Please enter your comment!", "", editor, reviewer, category="removal")
    with pytest.raises(CorrectionError, match="removal cannot be remembered"):
        glossary_remember(correction=removal, user=reviewer)
    fix = accepted(seed, "Spoke", "spoke", editor, reviewer, category="markup")
    with pytest.raises(PermissionDenied):
        glossary_remember(correction=fix, user=editor)
    assert not GlossaryEntry.objects.exists()


# --------------------------------------------------------------------------- suggesting


def test_remembered_fix_suggests_exact_and_fuzzy_variants_on_import_once(
    editor, reviewer, django_capture_on_commit_callbacks
):
    seed = import_text(seed_bytes(), "seed.txt", django_capture_on_commit_callbacks)
    glossary_remember(correction=accepted(seed, "Belchett", "Bachelet", editor, reviewer), user=reviewer)
    follow_up = import_text(FOLLOW_UP, "follow-up.txt", django_capture_on_commit_callbacks)

    found = suggestions(follow_up)
    assert [(s.annotation.exact, s.replacement) for s in found] == [("Belchet", "Bachelet"), ("Belchett", "Bachelet")]
    for suggestion in found:
        assert suggestion.state == "proposed" and suggestion.category == "terminology"
        assert suggestion.glossary_entry.preferred == "Bachelet"
        assert suggestion.annotation.creator.username == GLOSSARY_USERNAME
        assert suggestion.annotation.motivation == "editing"
    assert "Belchet said" in follow_up.current_revision.text  # never applied automatically
    assert suggestions(seed) == []  # the seed already reads Bachelet

    result = glossary_scan()
    assert (result.suggested, result.already_covered) == (0, 2)
    assert len(suggestions()) == 2
    call_command("apply_glossary")
    assert len(suggestions()) == 2


def test_rejected_suggestions_are_not_suggested_again(editor, reviewer, django_capture_on_commit_callbacks):
    seed = import_seed()
    glossary_remember(correction=accepted(seed, "Belchett", "Bachelet", editor, reviewer), user=reviewer)
    follow_up = import_text(FOLLOW_UP, "follow-up.txt", django_capture_on_commit_callbacks)
    for suggestion in suggestions(follow_up):
        correction_reject(correction=suggestion, reviewer=reviewer, note="quoted as written")
    assert glossary_scan().suggested == 0
    assert len(suggestions()) == 2


def test_a_reviewer_accepts_a_batch_of_suggestions_even_from_their_own_entry(
    editor, reviewer, django_capture_on_commit_callbacks
):
    seed = import_seed()
    glossary_remember(correction=accepted(seed, "Belchett", "Bachelet", editor, reviewer), user=reviewer)
    follow_up = import_text(FOLLOW_UP, "follow-up.txt", django_capture_on_commit_callbacks)
    outcome = corrections_accept(corrections=suggestions(follow_up), reviewer=reviewer)
    assert outcome.revision.number == 2 and len(outcome.accepted) == 2
    text = outcome.revision.text
    assert "Michelle Bachelet said" in text and "\n\nBachelet added" in text
    assert text.endswith("Please enter your comment! Belchett")  # boilerplate: not the article's text


def test_markup_fixes_match_exactly_only_and_boilerplate_is_skipped(
    editor, reviewer, django_capture_on_commit_callbacks
):
    seed = import_seed()
    glossary_remember(correction=accepted(seed, "Spoke", "spoke", editor, reviewer, category="markup"), user=reviewer)
    data = b"Talks in Minsk\n\nThe minister Spoke with reporters. The Spoken word matters; Stoke did not.\n"
    article = import_text(data, "talks.txt", django_capture_on_commit_callbacks)
    assert [s.annotation.exact for s in suggestions(article)] == ["Spoke"]
    # Boilerplate ("Please enter your comment! Belchett") is not the article's text: not suggested there.
    glossary_remember(correction=accepted(seed, "Belchett", "Bachelet", editor, reviewer), user=reviewer)
    follow_up = import_text(FOLLOW_UP, "follow-up.txt", django_capture_on_commit_callbacks)
    assert len(suggestions(follow_up)) == 2


def test_suggestions_skip_words_an_editor_already_proposed_to_fix(editor, reviewer, django_capture_on_commit_callbacks):
    seed = import_seed()
    entry = glossary_remember(correction=accepted(seed, "Belchett", "Bachelet", editor, reviewer), user=reviewer)
    follow_up = article_import(data=FOLLOW_UP, filename="f.txt", publish=True).article  # no on-commit scan
    start = follow_up.current_revision.text.index("Michelle Belchet")
    correction_propose(
        article=follow_up,
        proposer=editor,
        span=(start, start + len("Michelle Belchet")),
        replacement="Michelle Bachelet",
        category="terminology",
    )
    result = glossary_scan(articles=[follow_up])
    assert (result.entries, result.suggested, result.already_covered) == (1, 1, 1)
    assert [s.annotation.exact for s in suggestions(follow_up)] == ["Belchett"]
    assert suggestions(follow_up)[0].glossary_entry == entry


def test_scan_without_glossary_does_nothing(django_capture_on_commit_callbacks, django_assert_max_num_queries):
    article = import_seed()
    with django_assert_max_num_queries(2):
        result = glossary_scan(articles=[article])
    assert (result.articles, result.suggested) == (1, 0)


# --------------------------------------------------------------------------- command


def test_apply_glossary_dry_run_writes_nothing_then_the_run_suggests(editor, reviewer, capsys):
    seed = import_seed()
    glossary_remember(correction=accepted(seed, "Belchett", "Bachelet", editor, reviewer), user=reviewer)
    follow_up = article_import(data=FOLLOW_UP, filename="f.txt", publish=True).article

    call_command("apply_glossary", "--dry-run")
    out, err = capsys.readouterr()
    assert "Scanned 2 articles against 1 glossary entries: 2 suggestions would be added" in out
    assert "nothing written" in out and "scanned 2/2 articles" in err
    assert suggestions() == []

    call_command("apply_glossary", "--article", follow_up.slug)
    out, _ = capsys.readouterr()
    assert "Scanned 1 articles against 1 glossary entries: 2 suggestions added, 0 matches already covered" in out
    assert len(suggestions(follow_up)) == 2
    with pytest.raises(CommandError, match="no article with slug nope"):
        call_command("apply_glossary", "--article", "nope")


# --------------------------------------------------------------------------- admin


def test_glossary_admin_edits_wrong_forms_one_per_line_and_searches_them(client):
    admin_user = make_member("chief", "Reviewer")
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:annotations_glossaryentry_add"),
        {
            "preferred": "Tsikhanouskaya",
            "wrong_forms": "Tikhnovskaya\n Tiknovskaya \n\nTikhnovskaya",
            "category": "terminology",
            "note": "",
            "case_sensitive": "on",
            "whole_word": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = GlossaryEntry.objects.get()
    assert entry.wrong_forms == ["Tikhnovskaya", "Tiknovskaya"] and entry.created_by == admin_user
    listing = client.get(reverse("admin:annotations_glossaryentry_changelist"), {"q": "Tiknov"})
    assert "Tsikhanouskaya" in listing.content.decode()
    refused = client.post(
        reverse("admin:annotations_glossaryentry_add"),
        {"preferred": "Bachelet", "wrong_forms": "Bachelet", "category": "terminology"},
    )
    assert "cannot also be a wrong form" in refused.content.decode()
