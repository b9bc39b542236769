"""Corrections: proposing, reviewing, no lost update, disclosure to readers, quality and the admin."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.anchoring import Selectors, describe
from annotations.disclosure import article_quality, correction_jsonld, corrections_for_reader
from annotations.models import Annotation, Correction
from annotations.services.annotating import annotation_create
from annotations.services.corrections import (
    REVIEW_PERMISSION,
    CorrectionError,
    correction_accept,
    correction_propose,
    correction_reject,
    corrections_accept,
)
from tests.factories import import_seed, make_member, make_user

pytestmark = pytest.mark.django_db

#: The seed's translation errors named in issue 4: (quote, occurrence, replacement, category, severity).
SEED_ERRORS = [
    ("Lukashenko More than", 0, "Lukashenko with more than", "omission", "major"),
    ("calm the winds", 0, "calm tensions", "style", "minor"),
    ("Spoke", 0, "spoke", "markup", "minor"),
    ("Belchett", 0, "Bachelet", "terminology", "major"),
    ("Condemned", 0, "condemned", "markup", "minor"),
    ("Argued", 0, "argued", "markup", "minor"),
    ("entering the sixth term in number", 0, "entering his sixth term", "style", "minor"),
    ("Svetlana Tikhnovskaya", 0, "Sviatlana Tsikhanouskaya", "terminology", "major"),
    ("The contestant decided", 0, "The candidate decided", "mistranslation", "major"),
    ("Tiknovskaya", 0, "Tsikhanouskaya", "terminology", "major"),
    ("Tikhnovskaya", 1, "Tsikhanouskaya", "terminology", "major"),  # 0 is inside "Svetlana Tikhnovskaya"
]
NAMES = {"Belchett", "Svetlana Tikhnovskaya", "Tiknovskaya", "Tikhnovskaya"}
#: Annotations on other words (some right next to a corrected span) that must keep selecting them.
OTHER_QUOTES = [
    "the president Alexander",
    "Vladimir Putin",
    "with Lukashenko",
    "human rights commissioner, Michelle",
    "Mike Pompeo",
    "a 37-year-old former teacher",
    "Lithuania",
    "about 6,000 people",
    "Belarus riots: Putin’s response",
]


def span_of(article, quote, occurrence=0):
    text = article.current_revision.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def propose(article, quote, replacement, user, *, category="terminology", severity="minor", occurrence=0, **kw):
    return correction_propose(
        article=article,
        proposer=user,
        span=span_of(article, quote, occurrence),
        replacement=replacement,
        category=category,
        severity=severity,
        reason=kw.pop("reason", "test"),
        **kw,
    )


def current_text(article):
    article.refresh_from_db()
    return article.current_revision.text


def quote_now(annotation):
    annotation.refresh_from_db()
    return annotation.revision.text[annotation.start : annotation.end]


# --------------------------------------------------------------------------- proposing


def test_propose_creates_an_editing_annotation_and_a_proposed_correction(seed, editor):
    correction = propose(seed, "Belchett", "Bachelet", editor, reason="name spelling")
    annotation = correction.annotation
    assert annotation.motivation == "editing" and annotation.exact == "Belchett"
    assert annotation.creator == editor and annotation.revision == seed.current_revision
    assert annotation.body_value == "name spelling" and annotation.prefix.endswith("commissioner, Michelle ")
    assert correction.state == "proposed" and correction.source == "editor"
    assert correction.replacement == "Bachelet" and correction.category == "terminology"


def test_propose_by_quote_or_on_an_existing_annotation(seed, editor):
    by_quote = correction_propose(
        article=seed,
        proposer=editor,
        selectors=Selectors(exact="calm the winds"),
        replacement="calm tensions",
        category="style",
    )
    assert by_quote.annotation.exact == "calm the winds"
    comment = annotation_create(
        article=seed, creator=editor, motivation="commenting", selectors=Selectors(exact="The contestant")
    )
    on_comment = correction_propose(
        article=seed, proposer=editor, target=comment, replacement="The candidate", category="mistranslation"
    )
    assert on_comment.annotation.exact == "The contestant" and on_comment.annotation.pk != comment.pk


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replacement": "", "category": "terminology"}, "replacement is empty"),
        ({"replacement": "   ", "category": "spelling"}, "replacement is empty"),
        ({"replacement": "Belchett"}, "same as the current text"),
        ({"category": "not-a-category"}, "unknown category"),
        ({"severity": "catastrophic"}, "unknown severity"),
        ({"span": (0, 10_000)}, "outside the text"),
        ({"span": (5, 5)}, "invalid span"),
        ({"selectors": Selectors(exact="Belchet", start=0, end=7)}, "does not select the quoted text"),
        ({"selectors": Selectors(exact="words that are nowhere")}, "do not match the text"),
    ],
)
def test_bad_proposals_are_refused_and_store_nothing(seed, editor, kwargs, message):
    arguments = {
        "article": seed,
        "proposer": editor,
        "replacement": "Bachelet",
        "category": "terminology",
        "severity": "minor",
    }
    arguments |= kwargs
    if "selectors" not in kwargs:
        arguments.setdefault("span", span_of(seed, "Belchett"))
    with pytest.raises(CorrectionError, match=message):
        correction_propose(**arguments)
    assert not Correction.objects.exists() and not Annotation.objects.exists()


def test_empty_replacement_is_allowed_for_removal_and_addition(seed, editor):
    removal = propose(seed, " Photo: TUT.BY VIA REUTERS", "", editor, category="removal")
    addition = propose(seed, "sharply, ", "", editor, category="addition")
    assert removal.replacement == "" and addition.replacement == ""


def test_a_correction_on_an_orphaned_annotation_is_refused(seed, editor):
    comment = annotation_create(
        article=seed, creator=editor, motivation="commenting", selectors=Selectors(exact="Please enter your name here")
    )
    Annotation.objects.filter(pk=comment.pk).update(anchor_state="orphaned")
    comment.refresh_from_db()
    with pytest.raises(CorrectionError, match="orphaned"):
        correction_propose(article=seed, proposer=editor, target=comment, replacement="x", category="removal")
    assert not Correction.objects.exists()


def test_proposing_needs_the_editor_permission(seed):
    reader = make_user("reader")
    with pytest.raises(PermissionDenied):
        propose(seed, "Belchett", "Bachelet", reader)


def test_a_proposal_on_an_older_revision_is_moved_when_its_span_is_untouched(seed, editor, reviewer):
    old = seed.current_revision
    correction_accept(correction=propose(seed, "Spoke", "spoke", editor, category="markup"), reviewer=reviewer)
    late = correction_propose(
        article=seed,
        proposer=editor,
        selectors=Selectors(exact="Belchett", start=old.text.index("Belchett"), end=old.text.index("Belchett") + 8),
        base_revision=old,
        replacement="Bachelet",
        category="terminology",
    )
    seed.refresh_from_db()
    assert late.annotation.revision == seed.current_revision and quote_now(late.annotation) == "Belchett"


def test_a_proposal_on_an_older_revision_whose_span_changed_is_refused(seed, editor, reviewer):
    old = seed.current_revision
    correction_accept(correction=propose(seed, "Belchett", "Bachelet", editor), reviewer=reviewer)
    start = old.text.index("Michelle Belchett")
    with pytest.raises(CorrectionError, match="was changed after revision 1"):
        correction_propose(
            article=seed,
            proposer=editor,
            span=(start, start + len("Michelle Belchett")),
            base_revision=old,
            replacement="Michelle Bachelet",
            category="terminology",
        )


# --------------------------------------------------------------------------- reviewing


def test_accepting_makes_one_revision_and_records_who_when_and_what(seed, editor, reviewer):
    correction = propose(seed, "Belchett", "Bachelet", editor)
    outcome = correction_accept(correction=correction, reviewer=reviewer, note="checked the UN site")
    correction.refresh_from_db()
    assert outcome.revision.number == 2 and outcome.revision.author == reviewer
    assert "“Belchett” → “Bachelet”" in outcome.revision.message
    assert correction.state == "accepted" and correction.reviewed_by == reviewer and correction.reviewed_at
    assert correction.reviewer_note == "checked the UN site" and correction.original_text == "Belchett"
    assert correction.applied_in == outcome.revision
    text = current_text(seed)
    assert "Michelle Bachelet, Condemned" in text and "Belchett" not in text
    annotation = correction.annotation
    annotation.refresh_from_db()
    assert annotation.anchor_state == "anchored" and annotation.status == "resolved"
    assert quote_now(annotation) == "Bachelet"
    assert bytes(seed.originals.get().content).count(b"Belchett") == 1


def test_a_batch_is_applied_from_the_end_into_one_revision(seed, editor, reviewer):
    corrections = [
        propose(seed, "Spoke", "spoke", editor, category="markup"),
        propose(seed, "Lukashenko More than", "Lukashenko with more than", editor, category="omission"),
        propose(seed, "Tiknovskaya", "Tsikhanouskaya", editor),
    ]
    outcome = corrections_accept(corrections=corrections, reviewer=reviewer)
    assert outcome.revision.number == 2 and seed.revisions.count() == 2
    assert {c.state for c in outcome.accepted} == {"accepted"}
    text = current_text(seed)
    assert "Lukashenko with more than 80%" in text and "Putin, spoke with" in text
    assert "Tsikhanouskaya commented" in text


def test_overlapping_corrections_are_refused_together(seed, editor, reviewer):
    one = propose(seed, "Michelle Belchett", "Michelle Bachelet", editor)
    two = propose(seed, "Belchett, Condemned", "Bachelet, condemned", editor)
    with pytest.raises(CorrectionError, match="overlap"):
        corrections_accept(corrections=[one, two], reviewer=reviewer)
    assert seed.revisions.count() == 1
    assert set(Correction.objects.values_list("state", flat=True)) == {"proposed"}


def test_an_accepted_edit_sends_proposals_on_the_same_words_to_needs_rebase(seed, editor, reviewer):
    whole = propose(seed, "Michelle Belchett", "Michelle Bachelet", editor)
    elsewhere = propose(seed, "calm the winds", "calm tensions", editor, category="style")
    outcome = correction_accept(correction=propose(seed, "Belchett", "Bachelet", editor), reviewer=reviewer)
    whole.refresh_from_db()
    elsewhere.refresh_from_db()
    assert [c.pk for c in outcome.needs_rebase] == [whole.pk]
    assert whole.state == "needs_rebase" and "changed by revision 2" in whole.reviewer_note
    assert elsewhere.state == "proposed"  # rebased automatically: its annotation moved with the text
    assert elsewhere.annotation.revision == outcome.revision and quote_now(elsewhere.annotation) == "calm the winds"
    with pytest.raises(CorrectionError, match="needs a rebase"):
        correction_accept(correction=whole, reviewer=reviewer)
    correction_accept(correction=elsewhere, reviewer=reviewer)
    assert "in order to calm tensions." in current_text(seed)


def test_an_accepted_correction_cannot_be_accepted_or_rejected_again(seed, editor, reviewer):
    correction = propose(seed, "Belchett", "Bachelet", editor)
    correction_accept(correction=correction, reviewer=reviewer)
    with pytest.raises(CorrectionError, match="already accepted"):
        correction_accept(correction=correction, reviewer=reviewer)
    with pytest.raises(CorrectionError, match="only open ones"):
        correction_reject(correction=correction, reviewer=reviewer)
    assert seed.revisions.count() == 2


def test_reject_records_the_review_and_leaves_the_text(seed, editor, reviewer):
    correction = propose(seed, "Spoke", "said", editor, category="mistranslation")
    correction_reject(correction=correction, reviewer=reviewer, note="it is link text, not a mistranslation")
    assert correction.state == "rejected" and correction.reviewed_by == reviewer and correction.reviewed_at
    assert correction.reviewer_note.startswith("it is link text")
    assert seed.revisions.count() == 1 and correction.applied_in is None


def test_corrections_of_two_articles_cannot_be_accepted_together(editor, reviewer):
    first = import_seed()
    from tests.factories import make_article

    other = make_article("Minsk protests grow")
    one = propose(first, "Belchett", "Bachelet", editor)
    two = propose(other, "paragraph 0", "first paragraph", editor, category="style")
    with pytest.raises(CorrectionError, match="one article"):
        corrections_accept(corrections=[one, two], reviewer=reviewer)


# --------------------------------------------------------------------------- permissions


def test_an_editor_cannot_accept_or_reject(seed, editor):
    correction = propose(seed, "Belchett", "Bachelet", editor)
    other_editor = make_member("other-editor", "Editor")
    for user in (editor, other_editor):
        with pytest.raises(PermissionDenied):
            correction_accept(correction=correction, reviewer=user)
        with pytest.raises(PermissionDenied):
            correction_reject(correction=correction, reviewer=user)
    correction.refresh_from_db()
    assert correction.state == "proposed" and seed.revisions.count() == 1


def test_a_reviewer_accepts_their_own_correction_only_when_saying_so(seed, reviewer):
    own = propose(seed, "Belchett", "Bachelet", reviewer)
    with pytest.raises(PermissionDenied, match="you proposed correction"):
        correction_accept(correction=own, reviewer=reviewer)
    assert seed.revisions.count() == 1
    correction_accept(correction=own, reviewer=reviewer, self_review=True)
    own.refresh_from_db()
    assert own.state == "accepted" and own.reviewed_by == reviewer


def test_self_review_flag_does_not_help_without_the_reviewer_permission(seed, editor):
    own = propose(seed, "Belchett", "Bachelet", editor)
    with pytest.raises(PermissionDenied):
        correction_accept(correction=own, reviewer=editor, self_review=True)
    own.refresh_from_db()
    assert own.state == "proposed"


# --------------------------------------------------------------------------- acceptance: the seed's errors


def test_all_seed_errors_fixed_other_annotations_kept_and_disclosed(seed, editor, reviewer):
    others = []
    for quote in OTHER_QUOTES:
        start, end = span_of(seed, quote)
        others.append(
            annotation_create(
                article=seed,
                creator=editor,
                motivation="commenting",
                selectors=Selectors(exact=quote, start=start, end=end),
                visibility="public",
            )
        )
    proposals = {
        quote: propose(seed, quote, replacement, editor, category=category, severity=severity, occurrence=occurrence)
        for quote, occurrence, replacement, category, severity in SEED_ERRORS
    }
    names = [proposals[quote] for quote in NAMES]
    corrections_accept(corrections=names, reviewer=reviewer)  # one batch: every spelling of the names
    correction_accept(correction=proposals["calm the winds"], reviewer=reviewer)
    rest = [c for quote, c in proposals.items() if quote not in NAMES and quote != "calm the winds"]
    corrections_accept(corrections=rest, reviewer=reviewer)

    assert seed.revisions.count() == 4
    text = current_text(seed)
    for fixed in [
        "Michelle Bachelet, condemned the",
        "Opposition rival Sviatlana Tsikhanouskaya, a 37-year-old",
        "Tsikhanouskaya commented on the results",
        "As the riots escalated, Tsikhanouskaya released",
        "in order to calm tensions.",
        "Lukashenko won a majority of votes, entering his sixth term.",
        "The candidate decided to enter",
        "Vladimir Putin, spoke with Lukashenko",
        "Mike Pompeo argued that",
        "Alexander Lukashenko with more than 80% of the vote",
    ]:
        assert fixed in text, fixed
    for wrong in ["Belchett", "Tikhnovskaya", "Tiknovskaya", "calm the winds", "contestant", "Spoke", "Argued"]:
        assert wrong not in text, wrong

    for annotation, quote in zip(others, OTHER_QUOTES, strict=True):
        assert quote_now(annotation) == quote
        assert annotation.anchor_state in ("anchored", "moved") and annotation.revision == seed.current_revision

    disclosed = corrections_for_reader(seed)
    assert [d.number for d in disclosed] == list(range(1, len(SEED_ERRORS) + 1))
    assert [d.start for d in disclosed] == sorted(d.start for d in disclosed)
    assert {(d.original_text, d.replacement) for d in disclosed} == {(q, r) for q, _, r, _, _ in SEED_ERRORS}
    for item in disclosed:
        assert text[item.start : item.end] == item.replacement
        assert item.accepted_at is not None and item.category_label
    belchett = next(d for d in disclosed if d.original_text == "Belchett")
    assert belchett.note == "corrected from ‘Belchett’ — name or term spelling"
    jsonld = correction_jsonld(seed, disclosed)
    assert len(jsonld) == len(SEED_ERRORS) and all(e["@type"] == "CorrectionComment" for e in jsonld)
    assert any("“Belchett” to “Bachelet”" in e["text"] for e in jsonld)
    assert b"Michelle Belchett, Condemned" in bytes(seed.originals.get().content)


def test_disclosure_takes_one_query_whatever_the_number_of_corrections(
    seed, editor, reviewer, django_assert_num_queries
):
    correction_accept(correction=propose(seed, "Belchett", "Bachelet", editor), reviewer=reviewer)
    seed.refresh_from_db()
    seed.current_revision  # noqa: B018 - load it, as the article page does with select_related
    with django_assert_num_queries(1):
        assert len(corrections_for_reader(seed)) == 1
    corrections_accept(
        corrections=[
            propose(seed, quote, replacement, editor, category=category, occurrence=occurrence)
            for quote, occurrence, replacement, category, _ in SEED_ERRORS
            if quote != "Belchett"
        ],
        reviewer=reviewer,
    )
    seed.refresh_from_db()
    seed.current_revision  # noqa: B018
    with django_assert_num_queries(1):
        assert len(corrections_for_reader(seed)) == len(SEED_ERRORS)


def test_disclosure_lists_removals_last_and_drops_fixes_overwritten_later(seed, editor, reviewer):
    correction_accept(correction=propose(seed, "Belchett", "Bachelet", editor), reviewer=reviewer)
    correction_accept(
        correction=propose(seed, " Photo: TUT.BY VIA REUTERS", "", editor, category="removal"), reviewer=reviewer
    )
    correction_accept(correction=propose(seed, "Spoke", "spoke", editor, category="markup"), reviewer=reviewer)
    seed.refresh_from_db()
    disclosed = corrections_for_reader(seed)
    assert [(d.original_text, d.is_removal) for d in disclosed] == [
        ("Spoke", False),
        ("Belchett", False),
        (" Photo: TUT.BY VIA REUTERS", True),
    ]
    assert disclosed[2].note.startswith("removed ‘ Photo")
    # A later fix over the same words replaces the first one on the page.
    correction_accept(
        correction=propose(seed, "Michelle Bachelet", "Michelle Bachelet (UN)", editor, category="addition"),
        reviewer=reviewer,
    )
    seed.refresh_from_db()
    assert [d.original_text for d in corrections_for_reader(seed)] == [
        "Spoke",
        "Michelle Bachelet",
        " Photo: TUT.BY VIA REUTERS",
    ]


def test_proposed_and_rejected_corrections_are_not_disclosed(seed, editor, reviewer):
    propose(seed, "Belchett", "Bachelet", editor)
    correction_reject(correction=propose(seed, "Spoke", "said", editor), reviewer=reviewer)
    assert corrections_for_reader(seed) == []


# --------------------------------------------------------------------------- quality


def test_quality_counts_accepted_corrections_per_word_of_the_import(seed, editor, reviewer):
    propose(seed, "Spoke", "spoke", editor, category="markup")
    correction_accept(correction=propose(seed, "Belchett", "Bachelet", editor, severity="major"), reviewer=reviewer)
    correction_reject(correction=propose(seed, "Pompeo", "Pompeio", editor, severity="critical"), reviewer=reviewer)
    summary = article_quality(seed)
    assert summary.by_category["terminology"] == 1 and summary.error_count == 1 and summary.penalty == 5
    assert 600 < summary.word_count < 900
    assert summary.score == round(100 * (1 - 5 / summary.word_count), 1)
    pending = article_quality(seed, include_proposed=True)
    assert pending.by_category["markup"] == 1 and pending.penalty == 5 and pending.unscored == 1


# --------------------------------------------------------------------------- admin


@pytest.fixture
def staff_reviewer():
    user = make_member("staff-reviewer", "Reviewer")
    user.is_staff = True
    user.save()
    return user


def admin_action(client, action, corrections):
    return client.post(
        reverse("admin:annotations_correction_changelist"),
        {"action": action, "_selected_action": [c.pk for c in corrections]},
        follow=True,
    )


def test_admin_accepts_a_batch_per_article_through_the_service(client, seed, editor, staff_reviewer):
    batch = [propose(seed, "Spoke", "spoke", editor, category="markup"), propose(seed, "Belchett", "Bachelet", editor)]
    client.force_login(staff_reviewer)
    response = admin_action(client, "accept_selected", batch)
    assert response.status_code == 200
    assert "Accepted 2 corrections" in response.content.decode()
    assert seed.revisions.count() == 2
    assert set(Correction.objects.values_list("state", flat=True)) == {"accepted"}


def test_admin_reports_refusals_and_rejects(client, seed, editor, staff_reviewer):
    own = propose(seed, "Belchett", "Bachelet", staff_reviewer)
    client.force_login(staff_reviewer)
    html = admin_action(client, "accept_selected", [own]).content.decode()
    assert "you proposed correction" in html and seed.revisions.count() == 1
    admin_action(client, "accept_own_selected", [own])
    own.refresh_from_db()
    assert own.state == "accepted"
    other = propose(seed, "Spoke", "said", editor)
    admin_action(client, "reject_selected", [other])
    other.refresh_from_db()
    assert other.state == "rejected" and other.reviewed_by == staff_reviewer


def test_admin_actions_are_hidden_from_editors(client, seed, editor):
    editor.is_staff = True
    editor.save()
    propose(seed, "Belchett", "Bachelet", editor)
    client.force_login(editor)
    html = client.get(reverse("admin:annotations_correction_changelist")).content.decode()
    assert "Belchett" in html and "accept_selected" not in html and "reject_selected" not in html


def test_admin_changelist_queries_stay_flat(client, seed, editor, staff_reviewer, django_assert_max_num_queries):
    client.force_login(staff_reviewer)
    propose(seed, "Belchett", "Bachelet", editor)
    url = reverse("admin:annotations_correction_changelist")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for quote, occurrence, replacement, category, _ in SEED_ERRORS[:8]:
        if quote != "Belchett":
            propose(seed, quote, replacement, editor, category=category, occurrence=occurrence)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "calm the winds" in client.get(url).content.decode()


def test_review_steps_are_in_the_audit_log(seed, editor, reviewer):
    from annotations.services.glossary import glossary_remember
    from audit.models import AuditEntry
    from audit.services import audit_verify

    fix = propose(seed, "Belchett", "Bachelet", editor)
    other = propose(seed, "Spoke", "spoke", editor, category="markup")
    correction_accept(correction=fix, reviewer=reviewer)
    correction_reject(correction=other, reviewer=reviewer, note="keep")
    fix.refresh_from_db()
    glossary_remember(correction=fix, user=reviewer)
    actions = list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))
    for action in ["correction.propose", "correction.accept", "correction.reject", "glossary.remember"]:
        assert action in actions
    accepted = AuditEntry.objects.get(action="correction.accept")
    assert accepted.before == {"text": "Belchett"} and accepted.after["text"] == "Bachelet"
    assert audit_verify() == []


WORD_RE = re.compile(r"[A-Za-z]{4,}")


def crowd(article, quote, editor, *, notes, proposals):
    """Put `notes` notes and `proposals` open proposals around `quote` and return the correction of it.

    The notes cycle over the quote itself (the edit overlaps them), its neighbour words (their context
    changes) and words far before and after it (shifted as a group); half the proposals are on the
    quote (they will need a rebase), half on the far words (moved onto the new revision).
    """
    text = article.current_revision.text
    words = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
    target = span_of(article, quote)
    at = words.index(target)
    spans = [target, words[at - 1], words[at + 1], words[1], words[-2]]
    revision = article.current_revision
    rows = []
    for n in range(notes):
        note = Annotation(article=article, revision=revision, creator=editor, body_value=quote)
        note.set_selectors(describe(text, *spans[n % len(spans)]))
        rows.append(note)
    Annotation.objects.bulk_create(rows)
    fix = correction_propose(
        article=article, proposer=editor, span=target, replacement=f"{quote}s", category="style", reason=""
    )
    for n in range(proposals):
        span = target if n % 2 == 0 else spans[3 + n // 2 % 2]
        correction_propose(
            article=article, proposer=editor, span=span, replacement="X", category="style", reason=f"other {n}"
        )
    return fix


def test_accepting_takes_the_same_queries_whatever_the_notes_and_open_proposals(seed, editor, reviewer):
    """A constant number of queries: carrying, flagging proposals and marking rows are grouped writes."""
    counts = []
    reviewer.has_perm(REVIEW_PERMISSION)  # loads the reviewer's permissions once, as the first request would
    for quote, notes, proposals in [("Lithuania", 10, 2), ("Kremlin", 200, 40)]:
        seed.refresh_from_db()
        fix = crowd(seed, quote, editor, notes=notes, proposals=proposals)
        with CaptureQueriesContext(connection) as queries:
            outcome = correction_accept(correction=fix, reviewer=reviewer)
        counts.append(len(queries))
        assert len(outcome.needs_rebase) == proposals // 2
        assert quote_now(fix.annotation) == f"{quote}s" and fix.annotation.anchor_state == "anchored"
        carried = Annotation.objects.filter(article=seed, revision=outcome.revision, body_value=quote)
        assert carried.filter(anchor_state="needs_review").count() == -(-notes // 5)
        assert all(
            outcome.revision.text[note.start : note.end] == note.exact for note in carried if note.exact != quote
        )
    assert counts[1] == counts[0], f"{counts[0]} queries with 10 notes and 2 proposals, {counts[1]} with 200 and 40"
