"""Exporting annotations as one JSON-LD AnnotationCollection, and restoring them from it losslessly."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, transaction

from annotations import jsonld
from annotations.models import Annotation, Entity
from annotations.services.annotating import AnnotationError, check_body, within_thread
from archive.models import Article, Revision


def annotations_export(*, links: jsonld.Links, article: Article | None = None) -> dict:
    """Return every annotation (or one article's) as an AnnotationCollection with one embedded page."""
    rows = jsonld.for_jsonld(Annotation.objects.order_by("pk"))
    if article is not None:
        rows = rows.filter(article=article)
    annotations = list(rows)
    items = [jsonld.annotation_to_jsonld(a, links, context=False, export=True) for a in annotations]
    collection_id = links.container(article)
    label = f"Annotations on “{article.headline}”" if article else "All annotations"
    modified = max((a.modified_at for a in annotations), default=None)
    described = jsonld.part_of(id=collection_id, label=label, total=len(items), modified=modified)
    page_id = f"{collection_id}?page=0"
    page = jsonld.page_to_jsonld(jsonld.Page(id=page_id, start_index=0, items=items), described, context=False)
    return jsonld.collection_to_jsonld(
        id=collection_id, label=label, total=len(items), modified=modified, first=page, last=page_id, container=False
    )


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    #: (the item's id or position, what is wrong with it)
    failures: list[tuple[str, str]] = field(default_factory=list)


def annotations_import(*, data: Any, dry_run: bool = False) -> ImportReport:
    """Restore the annotations of an export; those whose canonical IRI exists already are skipped.

    Each item is restored whole or not at all; a bad item is reported and the others go on. Replies
    are restored after their parents whatever the order in the file. Ids are kept when their number
    is free, so restored annotations keep their IRIs.
    """
    items = _items(data)
    links = jsonld.Links.for_base("http://import.invalid/")
    report, pending = ImportReport(), []
    for position, item in enumerate(items, start=1):
        try:
            pending.append(jsonld.parse_restorable(item))
        except AnnotationError as error:
            report.failures.append((_name(item, position), _message(error)))
    canonical_of = {r.posted.id: r.posted.canonical for r in pending}
    with transaction.atomic():
        waiting = {r.posted.canonical for r in pending}
        while pending:
            ready = [r for r in pending if _parent_canonical(r, canonical_of) not in waiting]
            if not ready:
                report.failures += [(r.posted.id, "its parent annotation is not in the file") for r in pending]
                break
            for restorable in ready:
                _restore_one(restorable, canonical_of, links, report)
                waiting.discard(restorable.posted.canonical)
            pending = [r for r in pending if r.posted.canonical in waiting]
        _reset_sequences()
        transaction.set_rollback(dry_run)
    return report


def _items(data: Any) -> list:
    if not isinstance(data, dict) or "AnnotationCollection" not in jsonld.as_list(data.get("type")):
        raise AnnotationError("the file must hold one AnnotationCollection", "type")
    first = data.get("first")
    if data.get("total", 0) and not isinstance(first, dict):
        raise AnnotationError("the collection must embed its annotations in its first page", "first")
    items = first.get("items", []) if isinstance(first, dict) else []
    if not isinstance(items, list):
        raise AnnotationError("the first page's items must be a list", "first.items")
    return items


def _name(item: Any, position: int) -> str:
    return item.get("id", f"item {position}") if isinstance(item, dict) else f"item {position}"


def _message(error: AnnotationError) -> str:
    return f"{error.field}: {error}" if error.field else str(error)


def _parent_canonical(restorable: jsonld.Restorable, canonical_of: dict) -> str | None:
    """The canonical IRI of the item's parent when that parent is in the file."""
    target = restorable.posted.target
    return canonical_of.get(target.iri) if isinstance(target, jsonld.ReplyTarget) else None


def _restore_one(restorable: jsonld.Restorable, canonical_of: dict, links: jsonld.Links, report: ImportReport):
    if Annotation.objects.filter(canonical=restorable.posted.canonical).exists():
        report.skipped += 1
        return
    try:
        with transaction.atomic():
            annotation_restore(restorable=restorable, canonical_of=canonical_of, links=links)
    except AnnotationError as error:
        report.failures.append((restorable.posted.id, _message(error)))
    else:
        report.created += 1


def annotation_restore(*, restorable: jsonld.Restorable, canonical_of: dict, links: jsonld.Links) -> Annotation:
    """Write one exported annotation back exactly as it was; raise AnnotationError saying what does not fit."""
    posted = restorable.posted
    check_body(posted.body)
    annotation = Annotation(
        canonical=posted.canonical,
        motivation=posted.motivation,
        body_value=posted.body.value,
        body_format=posted.body.format,
        body_language=posted.body.language,
        visibility=posted.visibility or Annotation.Visibility.EDITORS,
        status=posted.status or Annotation.Status.OPEN,
        created_at=restorable.created,
        modified_at=restorable.modified,
        version=restorable.version,
        anchor_state=restorable.anchor_state,
        anchor_strategy=restorable.anchor_strategy,
        anchor_score=restorable.anchor_score,
        creator=_creator(restorable.creator),
        entity=_entity(restorable.entity),
    )
    if isinstance(posted.target, jsonld.ReplyTarget):
        parent = Annotation.objects.filter(canonical=canonical_of.get(posted.target.iri, "")).first()
        if parent is None:
            raise AnnotationError("its parent annotation is neither in the file nor in the database", "target")
        annotation.parent, annotation.article_id = parent, parent.article_id
        # Exports written before replies were clamped may hold a public reply to a hidden note.
        annotation.visibility = within_thread(annotation.visibility, parent)
        annotation.revision = _revision(parent.article, restorable.revision)
    else:
        article = Article.objects.filter(slug=links.article_slug(posted.target.source, any_host=True) or "").first()
        if article is None:
            raise AnnotationError(f"no article at {posted.target.source}", "target.source")
        annotation.article, annotation.revision = article, _revision(article, restorable.revision)
        annotation.set_selectors(_exact_selectors(posted.target.selectors, annotation.revision))
    pk = links.annotation_pk(posted.id, any_host=True)
    if pk is not None and not Annotation.objects.filter(pk=pk).exists():
        annotation.pk = pk
    try:
        annotation.full_clean()
    except ValidationError as error:
        raise AnnotationError("; ".join(error.messages), "") from error
    annotation.save(force_insert=True)
    return annotation


def _creator(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise AnnotationError(f"there is no user {username!r}", "creator.nickname")
    return user


def _entity(slug: str) -> Entity | None:
    if not slug:
        return None
    entity = Entity.objects.filter(slug=slug).first()
    if entity is None:
        raise AnnotationError(f"there is no entity {slug!r}", "pal:entity")
    return entity


def _revision(article: Article, number: int) -> Revision:
    revision = Revision.objects.filter(article=article, number=number).first()
    if revision is None:
        raise AnnotationError(f"article {article.slug} has no revision {number}", "pal:revision")
    return revision


def _exact_selectors(selectors, revision: Revision):
    """The selectors as exported, provided their position selects their quote in that revision."""
    start, end, exact = selectors.start, selectors.end, selectors.exact
    if start is None or exact is None or revision.text[start:end] != exact:
        raise AnnotationError(
            f"the quote and position do not select the same text in revision {revision.number}", "target.selector"
        )
    return selectors


def _reset_sequences() -> None:
    """Restored ids were inserted explicitly: move the id sequence past them (PostgreSQL needs it)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Annotation])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
