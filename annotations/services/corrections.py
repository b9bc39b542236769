"""Proposing, accepting and rejecting corrections, and restoring old revisions.

A correction is an `editing` annotation on a span of the current text plus a Correction row
(replacement, category, severity, review). Accepting applies one or several corrections of one
article as ONE new revision through article_revise, which carries every other annotation exactly.

Every write here locks the article row first (SELECT … FOR UPDATE on PostgreSQL), so proposing,
accepting and restoring on one article are serialised: a reviewer who waited for another one's
acceptance then works on the revision it produced, and a proposal never lands on a revision
whose annotations were already carried forward.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import accumulate

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from annotations.anchoring import Selectors, describe, map_span
from annotations.models import Annotation, Correction, GlossaryEntry
from annotations.quality import CATEGORIES, SEVERITIES
from annotations.search import search_index_update_on_commit
from annotations.services.annotating import (
    AnnotationError,
    Body,
    annotation_create,
    annotations_carry,
    target_selectors,
)
from annotations.services.revising import article_revise
from annotations.services.rows import rows_update
from archive.blocks import BlockEditError
from archive.diffing import tokenize
from archive.models import Article, Revision
from archive.services import RevisionConflict, revision_create
from audit.services import Change, audit_lock, audit_record, audit_record_many

PROPOSE_PERMISSION = "annotations.add_correction"
REVIEW_PERMISSION = "annotations.review_correction"
#: Categories whose fix may be an empty replacement (the span is deleted).
DELETING_CATEGORIES = frozenset({"removal", "addition"})
#: States a correction can still be reviewed from.
OPEN_STATES = (Correction.State.PROPOSED, Correction.State.NEEDS_REBASE)
#: Where anchoring leaves an editing annotation whose span is still the one it was proposed on.
PLACED_STATES = (Annotation.Anchoring.ANCHORED, Annotation.Anchoring.MOVED)
REBASE_NOTE = "The text under this correction was changed by revision {number}; propose it again on the current text."


class CorrectionError(AnnotationError):
    """A correction that cannot be proposed, accepted or rejected; the message says why."""


@dataclass(frozen=True)
class AcceptOutcome:
    revision: Revision
    accepted: list[Correction]
    #: Other proposed corrections whose span the new revision changed: they now need a rebase.
    needs_rebase: list[Correction]


@dataclass(frozen=True)
class RestoreOutcome:
    revision: Revision
    needs_rebase: list[Correction]


def lock_article(article: Article) -> Article:
    """Return the article re-read under a row lock, with its current revision.

    The revision is read after the lock is granted, not joined into the locking query: when that
    query waited for another writer, PostgreSQL re-checks only the locked row, and a join to the
    revision the other writer just created would come back empty.
    """
    audit_lock()  # the chain first, then rows: every audited writer locks in this order
    locked = Article.objects.select_for_update().get(pk=article.pk)
    locked.current_revision = Revision.objects.get(pk=locked.current_revision_id)
    return locked


# --------------------------------------------------------------------------- proposing


def correction_propose(
    *,
    article: Article,
    proposer,
    replacement: str,
    category: str,
    severity: str = "minor",
    reason: str = "",
    selectors: Selectors | None = None,
    span: tuple[int, int] | None = None,
    target: Annotation | None = None,
    base_revision: Revision | None = None,
) -> Correction:
    """Propose replacing a span of the current text; return the stored correction.

    The span is given as W3C `selectors`, as a `(start, end)` `span`, or as the span of an existing
    annotation (`target`), on `base_revision` (the revision the editor saw; the current one by
    default). A span on an older revision is moved to the current text when no later edit touched
    it. Raises PermissionDenied without the propose permission and CorrectionError for bad input;
    nothing is stored then.
    """
    if not proposer.has_perm(PROPOSE_PERMISSION):
        raise PermissionDenied("only editors may propose corrections")
    if sum(given is not None for given in (selectors, span, target)) != 1:
        raise CorrectionError("give the span to correct as selectors, a span or an annotation", "target")
    with transaction.atomic():
        locked = lock_article(article)
        current = locked.current_revision
        base = _base_revision(locked, base_revision)
        if target is not None:
            selectors = _selectors_of(target, locked)
            base = target.revision
        elif span is not None:
            selectors = _span_selectors(span)
        placed = _on_current(base, current, _target_in(base, selectors))
        return correction_create(
            article=locked,
            creator=proposer,
            selectors=placed,
            replacement=replacement,
            category=category,
            severity=severity,
            reason=reason,
        )


def correction_create(
    *,
    article: Article,
    creator,
    selectors: Selectors,
    replacement: str,
    category: str,
    severity: str,
    reason: str = "",
    source: str = Correction.Source.EDITOR,
    glossary_entry: GlossaryEntry | None = None,
) -> Correction:
    """Store a correction on complete selectors of the article's current revision (no permission check).

    The shared write path of correction_propose and the glossary scan: the caller holds the article
    lock and has checked who may propose. Raises CorrectionError for bad input.
    """
    check_proposal(selectors.exact or "", replacement, category, severity)
    try:
        annotation = annotation_create(
            article=article,
            creator=creator,
            motivation=Annotation.Motivation.EDITING,
            selectors=selectors,
            body=Body(reason),
        )
    except AnnotationError as exc:
        raise CorrectionError(str(exc), exc.field) from exc
    correction = Correction(
        annotation=annotation,
        replacement=replacement,
        reason=reason,
        category=category,
        severity=severity,
        source=source,
        glossary_entry=glossary_entry,
    )
    try:
        # The annotation was created just above and the entry is in hand: no need to query for them.
        correction.full_clean(exclude=["annotation", "glossary_entry"], validate_unique=False)
    except ValidationError as exc:
        raise CorrectionError("; ".join(exc.messages)) from exc
    correction.save()
    audit_record(
        actor=creator,
        action="correction.propose",
        target=correction,
        after={
            "exact": selectors.exact,
            "replacement": replacement,
            "category": category,
            "severity": severity,
            "reason": reason,
            "source": source,
        },
    )
    return correction


def check_proposal(current: str, replacement: str, category: str, severity: str) -> None:
    """Raise CorrectionError unless `replacement` is a valid fix of the text `current`."""
    if category not in CATEGORIES:
        raise CorrectionError(f"unknown category {category!r}", "category")
    if severity not in SEVERITIES:
        raise CorrectionError(f"unknown severity {severity!r}", "severity")
    if not replacement.strip() and category not in DELETING_CATEGORIES:
        raise CorrectionError("the replacement is empty; only a removal or an addition may delete text", "replacement")
    if replacement == current:
        raise CorrectionError(f"the replacement is the same as the current text {current!r}", "replacement")


def _base_revision(article: Article, base: Revision | None) -> Revision:
    if base is None:
        return article.current_revision
    if base.article_id != article.pk:
        raise CorrectionError(f"revision {base.number} belongs to another article", "base_revision")
    return base


def _span_selectors(span: tuple[int, int]) -> Selectors:
    try:
        return Selectors(exact=None, start=span[0], end=span[1])
    except (ValueError, TypeError, IndexError) as exc:
        raise CorrectionError(f"invalid span {span!r}: {exc}", "target.selector") from exc


def _selectors_of(annotation: Annotation, article: Article) -> Selectors:
    """The span of an existing annotation, refused when it is no longer placed in the text."""
    if annotation.article_id != article.pk or annotation.is_reply:
        raise CorrectionError("the annotation is not on a passage of this article", "target")
    if annotation.anchor_state not in PLACED_STATES:
        raise CorrectionError(
            f"the annotation's passage is {annotation.get_anchor_state_display().lower()}: "
            "it no longer selects known text, so it cannot be corrected",
            "target",
        )
    return annotation.selectors


def _target_in(revision: Revision, selectors: Selectors) -> Selectors:
    try:
        return target_selectors(revision, selectors)
    except AnnotationError as exc:
        raise CorrectionError(str(exc), exc.field) from exc


def _on_current(base: Revision, current: Revision, selectors: Selectors) -> Selectors:
    """Move selectors made on `base` to the current revision, or refuse when the span changed since."""
    if base.pk == current.pk:
        return selectors
    mapped = map_span(selectors.start, selectors.end, text_edits(base.text, current.text))
    if mapped.touched or mapped.start == mapped.end:
        raise CorrectionError(
            f"“{selectors.exact}” was changed after revision {base.number}; "
            f"the article is now at revision {current.number}: correct the current text",
            "base_revision",
        )
    return describe(current.text, mapped.start, mapped.end)


def text_edits(old: str, new: str) -> list[tuple[int, int, str]]:
    """Return ordered edits (last position first) turning `old` into `new`, word by word.

    Each edit applies to the result of the previous one; going backwards keeps the offsets of
    the remaining edits valid, so the list can be passed to annotations_carry as is.
    """
    a, b = tokenize(old), tokenize(new)
    offsets = [0, *accumulate(len(token) for token in a)]
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return [
        (offsets[i1], offsets[i2], "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in reversed(opcodes) if tag != "equal"
    ]


# --------------------------------------------------------------------------- reviewing


def corrections_accept(
    *, corrections: Sequence[Correction], reviewer, note: str = "", self_review: bool = False
) -> AcceptOutcome:
    """Apply proposed corrections of one article as one new revision; return it and the fresh rows.

    Raises PermissionDenied without the review permission, or on one's own correction without
    `self_review=True`; CorrectionError when a correction is not open, needs a rebase, overlaps
    another or cannot be applied. Nothing is written then.
    """
    ids = sorted({correction.pk for correction in corrections})
    _check_reviewer(reviewer)
    if not ids:
        raise CorrectionError("no corrections to accept")
    article = _single_article(ids)
    with transaction.atomic():
        locked = lock_article(article)
        rows = _open_corrections(ids)
        _check_authors(rows, reviewer, self_review)
        edits = _edits_for(rows, locked.current_revision)
        try:
            outcome = article_revise(
                article=locked, edits=edits, author=reviewer, message=_message(rows), base=locked.current_revision
            )
        except BlockEditError as exc:
            raise CorrectionError(f"these corrections cannot be applied: {exc}") from exc
        accepted = _mark_accepted(rows, outcome.revision, reviewer, note)
        stale = flag_needs_rebase(outcome.revision, outcome.attention, exclude=ids)
        audit_record_many(
            actor=reviewer,
            action="correction.accept",
            changes=[
                Change(
                    row,
                    before={"text": row.original_text},
                    after={"text": row.replacement, "revision": outcome.revision.number, "note": note},
                )
                for row in accepted
            ],
        )
    return AcceptOutcome(outcome.revision, accepted, stale)


def correction_accept(*, correction: Correction, reviewer, note: str = "", self_review: bool = False) -> AcceptOutcome:
    """Accept one correction; see corrections_accept."""
    return corrections_accept(corrections=[correction], reviewer=reviewer, note=note, self_review=self_review)


def correction_reject(*, correction: Correction, reviewer, note: str = "") -> Correction:
    """Reject an open correction, recording who, when and why; the text does not change.

    Raises PermissionDenied without the review permission and CorrectionError when it was
    already accepted or rejected.
    """
    _check_reviewer(reviewer)
    now = timezone.now()
    with transaction.atomic():
        audit_lock()
        updated = Correction.objects.filter(pk=correction.pk, state__in=OPEN_STATES).update(
            state=Correction.State.REJECTED, reviewed_by=reviewer, reviewed_at=now, reviewer_note=note
        )
        if not updated:
            state = Correction.objects.filter(pk=correction.pk).values_list("state", flat=True).first()
            raise CorrectionError(f"correction {correction.pk} is {state or 'gone'}; only open ones can be rejected")
        Annotation.objects.filter(correction__pk=correction.pk).update(status=Annotation.Status.RESOLVED)
        audit_record(
            actor=reviewer,
            action="correction.reject",
            target=correction,
            before={"state": correction.state},
            after={"state": Correction.State.REJECTED, "note": note},
        )
    correction.refresh_from_db()
    return correction


def _check_reviewer(reviewer) -> None:
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied("only reviewers may accept or reject corrections")


def _single_article(ids: list[int]) -> Article:
    article_ids = set(Annotation.objects.filter(correction__pk__in=ids).values_list("article_id", flat=True))
    if len(article_ids) != 1:
        raise CorrectionError("corrections accepted together must all be on one article")
    return Article(pk=article_ids.pop())


def _open_corrections(ids: list[int]) -> list[Correction]:
    """The corrections, locked, in text order; raise CorrectionError unless all are open proposals."""
    rows = list(
        Correction.objects.select_for_update(of=("self",))
        .select_related("annotation")
        .filter(pk__in=ids)
        .order_by("annotation__start", "pk")
    )
    if len(rows) != len(ids):
        raise CorrectionError("some of these corrections no longer exist")
    for row in rows:
        if row.state == Correction.State.NEEDS_REBASE:
            raise CorrectionError(
                f"correction {row.pk} needs a rebase: its text was changed since it was proposed", "state"
            )
        if row.state != Correction.State.PROPOSED:
            raise CorrectionError(f"correction {row.pk} was already {row.get_state_display().lower()}", "state")
    return rows


def _check_authors(rows: list[Correction], reviewer, self_review: bool) -> None:
    own = [row.pk for row in rows if row.annotation.creator_id == reviewer.pk]
    if own and not self_review:
        raise PermissionDenied(
            f"you proposed correction {', '.join(map(str, own))}: another reviewer should accept it, "
            "or confirm explicitly that you review your own correction"
        )


def _edits_for(rows: list[Correction], current: Revision) -> list[tuple[int, int, str]]:
    """Edits from the end of the text backwards, so each applies to the previous result unchanged."""
    previous = None
    for row in rows:
        annotation = row.annotation
        placed = annotation.revision_id == current.pk and annotation.anchor_state in PLACED_STATES
        if not placed or current.text[annotation.start : annotation.end] != annotation.exact:
            raise CorrectionError(f"correction {row.pk} no longer matches the current text: it needs a rebase")
        if previous is not None and annotation.start < previous.annotation.end:
            raise CorrectionError(
                f"corrections {previous.pk} and {row.pk} overlap (“{previous.annotation.exact}” and "
                f"“{annotation.exact}”); accept one, then propose the other again"
            )
        previous = row
    return [(row.annotation.start, row.annotation.end, row.replacement) for row in reversed(rows)]


def _message(rows: list[Correction]) -> str:
    if len(rows) == 1:
        row = rows[0]
        return f"Correction {row.pk}: “{row.annotation.exact}” → “{row.replacement}”"[:500]
    return f"{len(rows)} corrections: {', '.join(str(row.pk) for row in rows)}"[:500]


def _mark_accepted(rows: list[Correction], revision: Revision, reviewer, note: str) -> list[Correction]:
    now = timezone.now()
    for row in rows:
        row.original_text = row.annotation.exact
        row.state, row.applied_in = Correction.State.ACCEPTED, revision
        row.reviewed_by, row.reviewed_at, row.reviewer_note = reviewer, now, note
    rows_update(rows, ["original_text", "state", "applied_in", "reviewed_by", "reviewed_at", "reviewer_note"])
    annotation_ids = [row.annotation_id for row in rows]
    # The carry flagged each editing annotation "needs_review" (its edit overlapped it): it is the edit.
    Annotation.objects.filter(pk__in=annotation_ids, revision=revision).update(
        anchor_state=Annotation.Anchoring.ANCHORED, anchor_score=1.0
    )
    Annotation.objects.filter(pk__in=annotation_ids).update(status=Annotation.Status.RESOLVED)
    return rows


def flag_needs_rebase(revision: Revision, attention: Sequence[Annotation], *, exclude: Sequence[int] = ()) -> list:
    """Mark open proposals whose span `revision` changed as needing a rebase; return them.

    Proposals whose span was untouched were already moved onto `revision` by the carry: they
    stay proposed (rebased automatically).
    """
    touched = [annotation.pk for annotation in attention if annotation.motivation == Annotation.Motivation.EDITING]
    if not touched:
        return []
    stale = list(
        Correction.objects.filter(annotation__in=touched, state=Correction.State.PROPOSED).exclude(pk__in=exclude)
    )
    note = REBASE_NOTE.format(number=revision.number)
    for correction in stale:
        correction.state, correction.reviewer_note = Correction.State.NEEDS_REBASE, note
    if stale:
        Correction.objects.filter(pk__in=[correction.pk for correction in stale]).update(
            state=Correction.State.NEEDS_REBASE, reviewer_note=note
        )
    return stale


# --------------------------------------------------------------------------- restoring


def revision_restore(*, article: Article, revision: Revision, user, base: Revision | None = None) -> RestoreOutcome:
    """Make a new revision with the blocks of an earlier `revision`; history is never rewritten.

    Annotations are carried exactly through the word-level edits between the two texts. With
    `base` (the revision the user saw), raises RevisionConflict when the article moved on since.
    Raises PermissionDenied without the review permission and CorrectionError when there is
    nothing to restore.
    """
    _check_reviewer(user)
    if revision.article_id != article.pk:
        raise CorrectionError(f"revision {revision.number} belongs to another article")
    with transaction.atomic():
        locked = lock_article(article)
        current = locked.current_revision
        if base is not None and base.pk != current.pk:
            raise RevisionConflict(
                f"the article is at revision {current.number}; you were looking at revision {base.number}"
            )
        if revision.text == current.text and revision.blocks == current.blocks:
            raise CorrectionError(f"revision {revision.number} has the same text as the current revision")
        new = revision_create(
            article=locked,
            blocks=revision.block_list,
            author=user,
            message=f"Restored revision {revision.number}",
            expected_parent=current,
        )
        attention = annotations_carry(article=locked, old=current, new=new, edits=text_edits(current.text, new.text))
        stale = flag_needs_rebase(new, attention)
        search_index_update_on_commit([locked.pk])  # as article_revise does for edits
        audit_record(
            actor=user,
            action="revision.restore",
            target=locked,
            after={"restored": revision.number, "revision": new.number},
        )
    article.refresh_from_db()
    return RestoreOutcome(new, stale)
