"""Annotation services: creating on the current text, updating without lost updates, carrying."""

import pytest
from django.core.exceptions import PermissionDenied

from annotations.anchoring import Selectors
from annotations.models import Annotation
from annotations.services.annotating import (
    AnnotationConflict,
    AnnotationError,
    Body,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from annotations.services.revising import article_revise
from archive.blocks import BlockEditError
from archive.services import RevisionConflict
from tests.factories import import_seed, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return import_seed()


@pytest.fixture
def editor():
    return make_user("editor")


def annotate(article, quote, user, motivation="commenting", occurrence=0, **kwargs):
    text = article.current_revision.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    selectors = Selectors(exact=quote, start=start, end=start + len(quote))
    return annotation_create(article=article, creator=user, motivation=motivation, selectors=selectors, **kwargs)


def edit_of(article, old, new, occurrence=0):
    text = article.current_revision.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(old, start + 1)
    return (start, start + len(old), new)


def quote_now(annotation):
    annotation.refresh_from_db()
    return annotation.revision.text[annotation.start : annotation.end]


def test_create_fills_quote_context_and_defaults_to_editors(seed, editor):
    annotation = annotate(seed, "calm the winds", editor, body=Body("literal idiom?"))
    assert annotation.visibility == "editors" and annotation.status == "open"
    assert annotation.revision == seed.current_revision
    assert annotation.prefix.endswith("in order to ") and len(annotation.prefix) == 32
    assert annotation.suffix.startswith(". Lukashenko today")


def test_quote_alone_is_placed_and_position_alone_gets_its_quote(seed, editor):
    by_quote = annotation_create(
        article=seed, creator=editor, motivation="questioning", selectors=Selectors(exact="Michelle Belchett")
    )
    assert quote_now(by_quote) == "Michelle Belchett"
    start = seed.current_revision.text.index("Pompeo")
    by_position = annotation_create(
        article=seed, creator=editor, motivation="highlighting", selectors=Selectors(None, start=start, end=start + 6)
    )
    assert by_position.exact == "Pompeo"


@pytest.mark.parametrize(
    ("selectors", "field"),
    [
        (Selectors(exact="words that are not in the article"), "target.selector"),
        (Selectors(exact="Belchett", start=0, end=8), "target.selector"),
        (Selectors(exact=None, start=4000, end=90000), "target.selector"),
    ],
)
def test_selectors_that_do_not_match_are_refused(seed, editor, selectors, field):
    with pytest.raises(AnnotationError) as error:
        annotation_create(article=seed, creator=editor, motivation="commenting", selectors=selectors)
    assert error.value.field == field
    assert not Annotation.objects.exists()


def test_unknown_motivation_and_oversized_body_are_refused(seed, editor):
    with pytest.raises(AnnotationError, match="unknown motivation"):
        annotate(seed, "Belchett", editor, motivation="shouting")
    with pytest.raises(AnnotationError, match="the limit is 20,000"):
        annotate(seed, "Belchett", editor, body=Body("x" * 20_001))
    assert not Annotation.objects.exists()


def test_replies_target_their_parent(seed, editor):
    parent = annotate(seed, "Belchett", editor)
    reply = annotation_create(
        article=seed, creator=make_user("other"), motivation="replying", parent=parent, body=Body("It is Bachelet.")
    )
    assert reply.parent == parent and reply.motivation == "replying" and reply.start is None
    assert list(parent.replies.all()) == [reply]


def test_update_with_a_stale_version_is_a_conflict(seed, editor):
    annotation = annotate(seed, "Belchett", editor)
    annotation_update(annotation=annotation, user=editor, expected_version=1, body=Body("first"))
    with pytest.raises(AnnotationConflict):
        annotation_update(annotation=annotation, user=editor, expected_version=1, body=Body("stale"))
    annotation.refresh_from_db()
    assert (annotation.body_value, annotation.version) == ("first", 2)


def test_only_the_author_or_an_admin_may_change_or_delete(seed, editor):
    annotation = annotate(seed, "Belchett", editor)
    stranger = make_user("stranger")
    with pytest.raises(PermissionDenied):
        annotation_update(annotation=annotation, user=stranger, expected_version=1, status="resolved")
    with pytest.raises(PermissionDenied):
        annotation_delete(annotation=annotation, user=stranger)
    admin = make_user("admin", perms=("annotations.change_annotation",))
    annotation_update(annotation=annotation, user=admin, expected_version=1, status="resolved")
    annotation_delete(annotation=annotation, user=editor, expected_version=2)
    assert not Annotation.objects.exists()


def test_seed_annotations_survive_a_revision_that_changes_other_sentences(seed, editor):
    """Acceptance: "calm the winds", "Belchett" and a caption still select the same words."""
    winds = annotate(seed, "calm the winds", editor)
    belchett = annotate(seed, "Belchett", editor)
    caption = annotate(seed, "Riots in Belarus after the presidential election. Photo: TUT.BY VIA REUTERS", editor)
    edits = [
        edit_of(seed, "Spoke", "spoke"),
        edit_of(seed, "Lukashenko More than", "Lukashenko with more than"),
        edit_of(seed, "Tiknovskaya", "Tsikhanouskaya"),
    ]
    edits.append(edit_of(seed, "Tikhnovskaya", "Tsikhanouskaya", occurrence=1))
    edits.sort(reverse=True)  # each edit applies to the result of the previous: go from the end
    outcome = article_revise(article=seed, edits=edits, author=editor, message="Fix names", base=seed.current_revision)
    assert outcome.revision.number == 2 and outcome.attention == []
    assert quote_now(winds) == "calm the winds" and winds.revision == outcome.revision
    assert quote_now(belchett) == "Belchett"
    assert quote_now(caption).startswith("Riots in Belarus after the presidential election")
    assert {winds.anchor_state, belchett.anchor_state, caption.anchor_state} <= {"anchored", "moved"}


def test_an_annotation_on_a_replaced_word_follows_the_edit_and_is_flagged(seed, editor):
    note = annotate(seed, "Belchett", editor)
    outcome = article_revise(
        article=seed,
        edits=[edit_of(seed, "Belchett", "Bachelet")],
        author=editor,
        message="Name",
        base=seed.current_revision,
    )
    assert quote_now(note) == "Bachelet"
    assert note.anchor_state == "needs_review" and outcome.attention == [note]


def test_a_stale_revision_base_is_a_conflict_and_writes_nothing(seed, editor):
    base = seed.current_revision
    article_revise(article=seed, edits=[edit_of(seed, "Spoke", "spoke")], author=editor, message="a", base=base)
    with pytest.raises(RevisionConflict):
        article_revise(article=seed, edits=[(0, 7, "Belarus")], author=editor, message="b", base=base)
    seed.refresh_from_db()
    assert seed.current_revision.number == 2 and seed.revisions.count() == 2


def test_removing_the_teaser_block_removes_it_and_its_separator(seed, editor):
    teaser = next(s for s in seed.current_revision.spans if s.kind == "teaser")
    later = annotate(seed, "Belchett", editor)
    outcome = article_revise(
        article=seed,
        edits=[(teaser.start, teaser.end, "")],
        author=editor,
        message="Remove promo",
        base=seed.current_revision,
    )
    assert [b.kind for b in outcome.revision.block_list].count("teaser") == 0
    assert "\n\n\n" not in outcome.revision.text
    assert quote_now(later) == "Belchett"


def test_edits_across_blocks_are_refused(seed, editor):
    spans = seed.current_revision.spans
    with pytest.raises(BlockEditError, match="crosses a block boundary"):
        article_revise(
            article=seed,
            edits=[(spans[0].end - 3, spans[1].start + 3, "x")],
            author=editor,
            message="bad",
            base=seed.current_revision,
        )
    assert seed.revisions.count() == 1


def test_a_flag_for_review_survives_later_unrelated_revisions(seed, editor):
    note = annotate(seed, "Belchett", editor)
    article_revise(
        article=seed,
        edits=[edit_of(seed, "Belchett", "Bachelet")],
        author=editor,
        message="1",
        base=seed.current_revision,
    )
    seed.refresh_from_db()
    article_revise(
        article=seed, edits=[edit_of(seed, "Spoke", "spoke")], author=editor, message="2", base=seed.current_revision
    )
    assert quote_now(note) == "Bachelet" and note.anchor_state == "needs_review" and note.revision.number == 3


def test_many_annotations_are_carried_by_shifting_in_few_queries(seed, editor, django_assert_max_num_queries):
    words = ["Lukashenko", "Putin", "Pompeo", "Belarus", "Russia", "Kremlin"]
    notes = [annotate(seed, word, editor) for word in words for _ in range(10)]
    start = seed.current_revision.text.index("Protest continues")
    with django_assert_max_num_queries(20):  # revision, audit, cache and savepoints included; not per annotation
        article_revise(
            article=seed, edits=[(start, start + 7, "Protests")], author=editor, message="x", base=seed.current_revision
        )
    for note, word in zip(notes, [w for w in words for _ in range(10)], strict=True):
        assert quote_now(note) == word and note.version == 2


def test_annotation_writes_are_in_the_audit_log(seed, editor):
    from audit.models import AuditEntry
    from audit.services import audit_verify

    note = annotate(seed, "Belchett", editor, body=Body("first"))
    annotation_update(annotation=note, user=editor, expected_version=1, body=Body("second"))
    annotation_delete(annotation=note, user=editor, expected_version=2)
    entries = list(AuditEntry.objects.filter(action__startswith="annotation.").order_by("sequence"))
    assert [e.action for e in entries] == ["annotation.create", "annotation.update", "annotation.delete"]
    assert entries[1].before["body_value"] == "first" and entries[1].after["body_value"] == "second"
    assert entries[2].before["exact"] == "Belchett" and all(e.actor == editor for e in entries)
    assert audit_verify() == []


def test_a_refused_annotation_leaves_no_audit_entry(seed, editor):
    from audit.models import AuditEntry

    before = AuditEntry.objects.count()
    with pytest.raises(AnnotationError):
        annotation_create(article=seed, creator=editor, motivation="commenting", selectors=Selectors(exact="nowhere"))
    assert AuditEntry.objects.count() == before


def test_a_neighbour_of_an_edit_keeps_its_words_and_gets_the_new_context(seed, editor):
    michelle = annotate(seed, "Michelle", editor)
    article_revise(
        article=seed,
        edits=[edit_of(seed, "Belchett", "Bachelet")],
        author=editor,
        message="x",
        base=seed.current_revision,
    )
    michelle.refresh_from_db()
    assert quote_now(michelle) == "Michelle" and michelle.anchor_state == "anchored"
    assert michelle.suffix.startswith(" Bachelet, Condemned")
    assert michelle.revision == seed.revisions.get(number=2)
