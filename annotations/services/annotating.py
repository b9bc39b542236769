"""Creating, changing and deleting annotations, and carrying them through new revisions."""

from collections import defaultdict, namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotations.anchoring import EditLike, Reanchored, Selectors, describe, reanchor_many, resolve
from annotations.models import Annotation
from annotations.models.annotation import MAX_BODY_CHARS
from annotations.search import search_index_update_on_commit
from annotations.services.mention_tags import mention_tags_changed
from annotations.services.rows import rows_update
from archive.caching import article_changed
from archive.models import Article, Revision
from audit.services import audit_lock, audit_record

CANONICAL_MAX_CHARS = Annotation._meta.get_field("canonical").max_length
TEXT_MOTIVATIONS = frozenset(Annotation.Motivation.values) - {Annotation.Motivation.REPLYING}
#: Who sees an annotation, from the fewest people to everyone.
AUDIENCE = {Annotation.Visibility.PRIVATE: 0, Annotation.Visibility.EDITORS: 1, Annotation.Visibility.PUBLIC: 2}


class AnnotationError(ValueError):
    """Input that cannot become an annotation; `field` names what is wrong, for API clients."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AnnotationConflict(Exception):
    """The annotation changed since the client read it (a stale ETag or version)."""


@dataclass(frozen=True)
class Body:
    value: str = ""
    format: str = "text/plain"
    language: str = ""


def target_selectors(revision: Revision, selectors: Selectors) -> Selectors:
    """Return complete selectors for a target in `revision`; raise AnnotationError when they do not match.

    A position must select exactly the quote when both are given; a quote alone must occur in the text
    (several occurrences are told apart by prefix and suffix). No fuzzy matching: a new annotation
    targets the text the editor sees.
    """
    text = revision.text
    if selectors.has_position and selectors.end > len(text):
        raise AnnotationError(
            f"TextPositionSelector [{selectors.start}, {selectors.end}) is outside the text "
            f"of revision {revision.number} ({len(text)} characters)",
            "target.selector",
        )
    if selectors.has_position and selectors.exact and text[selectors.start : selectors.end] != selectors.exact:
        raise AnnotationError(
            f"the TextPositionSelector does not select the quoted text in revision {revision.number}",
            "target.selector",
        )
    anchor = resolve(selectors, text, min_score=1.0)
    if anchor.start is None or anchor.end is None or anchor.strategy not in ("position", "quote"):
        raise AnnotationError(f"the selectors do not match the text of revision {revision.number}", "target.selector")
    return describe(text, anchor.start, anchor.end)


def within_thread(visibility: str, parent: Annotation | None) -> str:
    """Return `visibility` narrowed to the parent's: a reply is never shown to more people than its note."""
    # Else readers would find replies of editors' and private threads in the protocol and the search.
    if parent is not None and AUDIENCE[visibility] > AUDIENCE[parent.visibility]:
        return parent.visibility
    return visibility


def readers_copies_changed(article_id: int, *, text_changed: bool = True) -> None:
    """Refresh what readers get of an article after a public annotation changed: pages and search document."""
    # The search document holds public notes' bodies: a note made private must stop matching at once.
    article_changed(article_id)
    if text_changed:
        search_index_update_on_commit([article_id])


def narrow_replies(annotation: Annotation, now) -> None:
    """Narrow the replies (at any depth) that would be seen by more people than `annotation` now is."""
    wider = [visibility for visibility, rank in AUDIENCE.items() if rank > AUDIENCE[annotation.visibility]]
    parents = [annotation.pk]
    while parents:
        rows = Annotation.objects.filter(parent__in=parents, visibility__in=wider)
        parents = list(rows.values_list("pk", flat=True))
        rows.update(visibility=annotation.visibility, version=F("version") + 1, modified_at=now)


def check_body(body: Body) -> None:
    if len(body.value) > MAX_BODY_CHARS:
        raise AnnotationError(f"the body is {len(body.value):,} characters; the limit is {MAX_BODY_CHARS:,}", "body")


def annotation_create(
    *,
    article: Article,
    creator,
    motivation: str,
    selectors: Selectors | None = None,
    parent: Annotation | None = None,
    body: Body = Body(),  # noqa: B008 - immutable dataclass
    visibility: str = Annotation.Visibility.EDITORS,
    canonical: str = "",
) -> Annotation:
    """Create an annotation on a span of the article's current text, or a reply to `parent`.

    `canonical` is the client's W3C canonical IRI, kept as given; a fresh urn:uuid is minted without one.
    """
    check_body(body)
    if visibility not in Annotation.Visibility.values:
        raise AnnotationError(f"unknown visibility {visibility!r}", "visibility")
    visibility = within_thread(visibility, parent)
    annotation = Annotation(
        article=article,
        creator=creator,
        visibility=visibility,
        body_value=body.value,
        body_format=body.format,
        body_language=body.language,
    )
    if canonical:
        check_canonical(canonical)
        annotation.canonical = canonical
    if parent is not None:
        if parent.article_id != article.pk:
            raise AnnotationError("a reply must be on the same article as its parent", "target")
        annotation.parent, annotation.motivation, annotation.revision_id = parent, "replying", parent.revision_id
        annotation.start, annotation.end = None, None
    else:
        if motivation not in TEXT_MOTIVATIONS:
            raise AnnotationError(f"unknown motivation {motivation!r}", "motivation")
        if selectors is None:
            raise AnnotationError("a target selector is required", "target.selector")
        annotation.motivation = motivation
    with transaction.atomic():
        audit_lock()  # first, before any row lock (see audit.services.audit_lock)
        if parent is None:
            # Lock the article as revision_create does, so a correction accepted meanwhile cannot leave
            # this annotation on a revision that is no longer current (and so never carried).
            revision = current_revision_locked(article)
            annotation.revision = revision
            annotation.set_selectors(target_selectors(revision, selectors))
        annotation.save()
        audit_record(actor=creator, action="annotation.create", target=annotation, after=snapshot(annotation))
        if annotation.visibility == Annotation.Visibility.PUBLIC:
            readers_copies_changed(article.pk, text_changed=bool(annotation.body_value))
    return annotation


def snapshot(annotation: Annotation) -> dict:
    """What the audit log keeps of an annotation's state."""
    fields = ["motivation", "visibility", "status", "body_value", "exact", "start", "end", "anchor_state", "version"]
    return {name: getattr(annotation, name) for name in fields} | {
        "revision": annotation.revision_id,
        "parent": annotation.parent_id,
    }


def current_revision_locked(article: Article) -> Revision:
    """The article's current revision, read with the article row locked until the transaction ends."""
    locked = Article.objects.select_for_update().only("current_revision").get(pk=article.pk)
    return Revision.objects.get(pk=locked.current_revision_id)


def check_canonical(canonical: str) -> None:
    """Raise AnnotationError unless `canonical` is an absolute IRI that no other annotation has."""
    if len(canonical) > CANONICAL_MAX_CHARS or ":" not in canonical or any(c.isspace() for c in canonical):
        raise AnnotationError(f"canonical must be an absolute IRI of at most {CANONICAL_MAX_CHARS} chars", "canonical")
    if Annotation.objects.filter(canonical=canonical).exists():
        raise AnnotationError(f"an annotation with the canonical IRI {canonical} already exists", "canonical")


def ensure_can_modify(user, annotation: Annotation) -> None:
    """Editors change their own annotations; users with the change permission change anyone's."""
    if annotation.creator_id == user.pk or user.has_perm("annotations.change_annotation"):
        return
    raise PermissionDenied("only the author of an annotation (or an administrator) may change it")


def annotation_update(
    *,
    annotation: Annotation,
    user,
    expected_version: int,
    body: Body | None = None,
    visibility: str | None = None,
    status: str | None = None,
    motivation: str | None = None,
) -> Annotation:
    """Change an annotation's body, visibility, status or motivation; never its target.

    A mention made public tags its article with the entity, one made non-public untags it (see
    annotations.services.mention_tags). Raises AnnotationConflict when `expected_version` is not
    the stored version (no lost update).
    """
    ensure_can_modify(user, annotation)
    changes: dict = {}
    if body is not None:
        check_body(body)
        changes |= {"body_value": body.value, "body_format": body.format, "body_language": body.language}
    if visibility is not None:
        if visibility not in Annotation.Visibility.values:
            raise AnnotationError(f"unknown visibility {visibility!r}", "visibility")
        changes["visibility"] = within_thread(visibility, annotation.parent if annotation.parent_id else None)
    if status is not None:
        if status not in Annotation.Status.values:
            raise AnnotationError(f"unknown status {status!r}", "status")
        changes["status"] = status
    if motivation is not None and motivation != annotation.motivation:
        raise AnnotationError("the motivation of an annotation cannot change; make a new one", "motivation")
    with transaction.atomic():
        audit_lock()
        now = timezone.now()
        updated = Annotation.objects.filter(pk=annotation.pk, version=expected_version).update(
            **changes, version=F("version") + 1, modified_at=now
        )
        if not updated:
            raise AnnotationConflict(f"annotation {annotation.pk} changed since version {expected_version}")
        before = snapshot(annotation)
        annotation.refresh_from_db()
        if AUDIENCE[annotation.visibility] < AUDIENCE[before["visibility"]]:
            narrow_replies(annotation, now)
        retagged = annotation.visibility != before["visibility"] and mention_tags_changed(annotation)
        audit_record(
            actor=user, action="annotation.update", target=annotation, before=before, after=snapshot(annotation)
        )
        if retagged or Annotation.Visibility.PUBLIC in (before["visibility"], annotation.visibility):
            readers_copies_changed(
                annotation.article_id, text_changed=bool({"body_value", "visibility"} & set(changes))
            )
    return annotation


def annotation_delete(*, annotation: Annotation, user, expected_version: int | None = None) -> None:
    """Delete an annotation and its replies; with `expected_version`, only if it is unchanged.

    A mention's article loses the entity's by-mention tag with its last public mention.
    """
    ensure_can_modify(user, annotation)
    rows = Annotation.objects.filter(pk=annotation.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    with transaction.atomic():
        audit_lock()
        deleted, _ = rows.delete()
        if not deleted:
            raise AnnotationConflict(f"annotation {annotation.pk} changed or was deleted since it was read")
        audit_record(
            actor=user,
            action="annotation.delete",
            target=None,
            before=snapshot(annotation)
            | {
                "id": annotation.pk,
                "article": annotation.article_id,
            },
        )
        retagged = mention_tags_changed(annotation)
        if retagged or annotation.visibility == Annotation.Visibility.PUBLIC:
            readers_copies_changed(annotation.article_id)


CARRIED_FIELDS = [
    "revision",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "anchor_state",
    "anchor_strategy",
    "anchor_score",
    "version",
    "modified_at",
]
#: Carried states that need a person to look: returned by annotations_carry.
ATTENTION = (Annotation.Anchoring.NEEDS_REVIEW, Annotation.Anchoring.ORPHANED)
#: What carrying reads of each annotation, in the model's field order (as Annotation.from_db takes them).
CARRY_READS = [
    field.attname
    for field in Annotation._meta.concrete_fields
    if field.name in {"id", "parent", "motivation", *CARRIED_FIELDS}
]
#: One annotation as carrying reads it: plain values, made into a model object only when it is written.
CarryRow = namedtuple("CarryRow", CARRY_READS)


def annotations_carry(
    *, article: Article, old: Revision, new: Revision, edits: Sequence[EditLike] | None
) -> list[Annotation]:
    """Carry every annotation of `old` to `new`; return the ones that now need review or are orphaned.

    With `edits` (the replacements that made `new` from `old`) the offsets are transformed exactly:
    untouched spans keep their text, a span an edit overlapped is flagged "needs_review". Without
    edits (text changed outside Palimpsest) the selectors are resolved again, fuzzily if need be.
    Nothing is ever deleted: an annotation that cannot be placed is kept as "orphaned".

    Most annotations only shift by the length change of the edits before them: those are moved with
    one UPDATE per shift, so an article with a thousand annotations is carried in a few queries.
    """
    query = Annotation.objects.filter(article=article, revision=old, parent__isnull=True).order_by("pk")
    rows = [CarryRow._make(values) for values in query.values_list(*CARRY_READS)]
    selectors = [Selectors(exact=r.exact, prefix=r.prefix, suffix=r.suffix, start=r.start, end=r.end) for r in rows]
    results = reanchor_many(old.text, new.text, selectors, edits)
    now, attention, rewritten, recontexted = timezone.now(), [], [], []
    shifted: dict[tuple, list[int]] = defaultdict(list)
    for row, result in zip(rows, results, strict=True):
        if row.anchor_state == Annotation.Anchoring.NEEDS_REVIEW and result.state != "orphaned":
            result = replace(result, state=Annotation.Anchoring.NEEDS_REVIEW)  # stays flagged until checked
        if result.selectors is not None and result.selectors.exact == row.exact and result.state not in ATTENTION:
            # Same words, shifted: one grouped UPDATE; only a changed context needs a per-row value.
            shifted[(result.start - row.start, result.state, result.strategy, result.score)].append(row.id)
            if not only_shifted(row, result):
                annotation = Annotation.from_db(query.db, CARRY_READS, row)
                annotation.prefix, annotation.suffix = result.selectors.prefix, result.selectors.suffix
                recontexted.append(annotation)
            continue
        annotation = Annotation.from_db(query.db, CARRY_READS, row)
        if result.state in ATTENTION:
            attention.append(annotation)
        carry_one(annotation, result, new, now)
        rewritten.append(annotation)
    for (delta, state, strategy, score), pks in shifted.items():
        Annotation.objects.filter(pk__in=pks).update(
            revision=new,
            start=F("start") + delta,
            end=F("end") + delta,
            anchor_state=state,
            anchor_strategy=strategy,
            anchor_score=score,
            version=F("version") + 1,
            modified_at=now,
        )
    rows_update(recontexted, ["prefix", "suffix"])
    rows_update(rewritten, CARRIED_FIELDS)
    Annotation.objects.filter(article=article, revision=old, parent__isnull=False).update(revision=new)
    return attention


def only_shifted(annotation: Annotation | CarryRow, result: Reanchored) -> bool:
    """Whether the annotation keeps its quote and context and just moves by some characters."""
    fresh = result.selectors
    return fresh is not None and (fresh.exact, fresh.prefix, fresh.suffix) == (
        annotation.exact,
        annotation.prefix,
        annotation.suffix,
    )


def carry_one(annotation: Annotation, result: Reanchored, new: Revision, now) -> None:
    """Set the carried state on one annotation object (saved by the caller)."""
    annotation.anchor_state, annotation.anchor_strategy = result.state, result.strategy
    annotation.anchor_score = result.score
    annotation.version += 1
    annotation.modified_at = now
    if result.selectors is not None:
        annotation.revision = new
        annotation.set_selectors(result.selectors)
