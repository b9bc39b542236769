"""Write paths of the archive, shared by the management commands, the admin and the editor UI."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from archive.blocks import Block, canonical_text
from archive.caching import archive_changed, article_changed
from archive.importing import ImportRejected, ParsedArticle, parse_article
from archive.models import Article, Original, Revision
from archive.signals import articles_edited, articles_imported
from audit.services import Change, audit_lock, audit_record, audit_record_many

SLUG_MAX_LENGTH = 80


@dataclass(frozen=True)
class ImportFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class ImportResult:
    IMPORTED = "imported"
    ALREADY_PRESENT = "already present"
    FAILED = "failed"

    filename: str
    status: str
    message: str = ""
    article: Article | None = None

    def __str__(self) -> str:
        detail = self.message or (self.article.slug if self.article else "")
        return f"{self.filename}: {self.status}" + (f" — {detail}" if detail else "")


@dataclass
class _Prepared:
    file: ImportFile
    sha256: str
    parsed: ParsedArticle


def articles_import(
    files: Iterable[ImportFile],
    *,
    imported_by=None,
    publish: bool = False,
    language: str = "en",
    original_language: str = "",
    max_bytes: int | None = None,
) -> list[ImportResult]:
    """Import a batch of files as articles, one result per file, in the order given.

    A file that cannot be parsed fails alone; the others are written together in one
    transaction with bulk inserts (imports of thousands of files stay fast). Files whose
    bytes are already in the archive, or repeated within the batch, are "already present".
    """
    limit = max_bytes or settings.PALIMPSEST_IMPORT_MAX_BYTES
    results: dict[int, ImportResult] = {}
    prepared: dict[int, _Prepared] = {}
    for position, file in enumerate(files):
        try:
            parsed = parse_article(file.data, file.name, max_bytes=limit)
        except ImportRejected as exc:
            results[position] = ImportResult(file.name, ImportResult.FAILED, str(exc))
            continue
        prepared[position] = _Prepared(file, Original.checksum(file.data), parsed)
    _skip_known(prepared, results)
    if prepared:
        created = _write_articles(
            list(prepared.values()),
            imported_by=imported_by,
            publish=publish,
            language=language,
            original_language=original_language,
        )
        for position, article in zip(prepared, created, strict=True):
            results[position] = ImportResult(prepared[position].file.name, ImportResult.IMPORTED, article=article)
    return [results[position] for position in sorted(results)]


def article_import(*, data: bytes, filename: str, **options) -> ImportResult:
    """Import one file; see articles_import for the options."""
    return articles_import([ImportFile(filename, data)], **options)[0]


def _skip_known(prepared: dict[int, _Prepared], results: dict[int, ImportResult]) -> None:
    """Move files whose bytes the archive (or this batch) already holds from prepared to results."""
    known = dict(
        Original.objects.filter(sha256__in=[item.sha256 for item in prepared.values()]).values_list(
            "sha256", "article__slug"
        )
    )
    for position, item in list(prepared.items()):
        if item.sha256 in known:
            slug = known[item.sha256] or "an earlier file in this batch"
            results[position] = ImportResult(item.file.name, ImportResult.ALREADY_PRESENT, f"same bytes as {slug}")
            del prepared[position]
        else:
            known[item.sha256] = ""


def _write_articles(
    items: Sequence[_Prepared], *, imported_by, publish: bool, language: str, original_language: str
) -> list[Article]:
    now = timezone.now()
    status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
    slugs = unique_slugs([item.parsed.headline for item in items])
    with transaction.atomic():
        audit_lock()  # first, before any row lock: see audit.services.audit_lock
        articles = Article.objects.bulk_create(
            Article(
                slug=slug,
                headline=item.parsed.headline[:500],
                language=language,
                original_language=original_language,
                status=status,
                published_at=now if publish else None,
            )
            for slug, item in zip(slugs, items, strict=True)
        )
        Original.objects.bulk_create(
            Original(
                article=article,
                content=item.file.data,
                filename=item.file.name[:255],
                encoding=item.parsed.encoding,
                sha256=item.sha256,
                size=len(item.file.data),
                imported_at=now,
                imported_by=imported_by,
                import_notes=item.parsed.notes,
            )
            for article, item in zip(articles, items, strict=True)
        )
        revisions = Revision.objects.bulk_create(
            _first_revision(article, item.parsed.blocks, imported_by, now)
            for article, item in zip(articles, items, strict=True)
        )
        for article, revision in zip(articles, revisions, strict=True):
            article.current_revision = revision
        Article.objects.bulk_update(articles, ["current_revision"])
        audit_record_many(
            actor=imported_by,
            action="article.import",
            changes=[
                Change(article, after=_import_summary(article, item))
                for article, item in zip(articles, items, strict=True)
            ],
        )
        ids = [article.pk for article in articles]
        if publish:
            archive_changed()
        transaction.on_commit(lambda: articles_imported.send(sender=Article, article_ids=ids))
    return articles


def _import_summary(article: Article, item: _Prepared) -> dict:
    return {"slug": article.slug, "status": article.status, "filename": item.file.name, "sha256": item.sha256}


def _first_revision(article: Article, blocks: list[Block], author, now) -> Revision:
    return Revision(
        article=article,
        number=1,
        blocks=[block.as_dict() for block in blocks],
        text=canonical_text(blocks),
        author=author,
        message="Imported",
        created_at=now,
    )


def unique_slugs(headlines: Sequence[str]) -> list[str]:
    """Return one slug per headline, unique among themselves and against stored articles."""
    bases = [slugify(headline)[:SLUG_MAX_LENGTH].strip("-") or "article" for headline in headlines]
    taken = set(Article.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    for base in set(bases) & taken:
        taken |= set(Article.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, counter = base, 1
        while slug in taken:
            counter += 1
            slug = f"{base}-{counter}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


def article_publish(*, article: Article, actor=None) -> Article:
    """Make the article visible to readers; the first publication time is kept."""
    fields = {"status": Article.Status.PUBLISHED, "updated_at": timezone.now()}
    if article.published_at is None:
        fields["published_at"] = fields["updated_at"]
    with transaction.atomic():
        audit_lock()
        Article.objects.filter(pk=article.pk).update(**fields)
        article_changed(article.pk)
        archive_changed()
        audit_record(
            actor=actor, action="article.publish", target=article, before={"status": article.status}, after=fields
        )
    article.refresh_from_db()
    return article


def article_unpublish(*, article: Article, actor=None) -> Article:
    """Hide the article from readers again (it becomes a draft)."""
    with transaction.atomic():
        audit_lock()
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT, updated_at=timezone.now())
        article_changed(article.pk)
        archive_changed()
        audit_record(
            actor=actor,
            action="article.unpublish",
            target=article,
            before={"status": article.status},
            after={"status": Article.Status.DRAFT},
        )
    article.refresh_from_db()
    return article


def article_edit(*, article: Article, fields: Sequence[str], actor=None) -> Article:
    """Save the changes made to `fields` of the article's own (headline, slug, outlet, dates…), e.g. by the admin.

    The audit log gets each changed field's value before and after. Readers' copies follow: the
    cached pages at once, and on commit `articles_edited` lets the apps built on the archive refresh
    theirs (the annotations app rewrites the search document). The text changes through revisions
    (revision_create), the status through article_publish/unpublish.
    """
    columns = [Article._meta.get_field(name).attname for name in fields]
    with transaction.atomic():
        audit_lock()
        before = Article.objects.filter(pk=article.pk).values(*columns).first() or {}
        article.save()
        after = {column: getattr(article, column) for column in columns}
        audit_record(
            actor=actor,
            action="article.edit",
            target=article,
            before=json.loads(json.dumps(before, cls=DjangoJSONEncoder)),
            after=json.loads(json.dumps(after, cls=DjangoJSONEncoder)),
        )
        article_changed(article.pk)
        archive_changed()  # the headline, date or outlet shown in the list
        transaction.on_commit(lambda: articles_edited.send(sender=Article, article_ids=[article.pk]))
    return article


class RevisionConflict(Exception):
    """The article changed since the caller read it: their edit is stale."""


def revision_create(
    *, article: Article, blocks: Sequence[Block], author, message: str, expected_parent: Revision | None
) -> Revision:
    """Add a revision on top of `expected_parent`; raise RevisionConflict when it is no longer current.

    The article row is locked (SELECT … FOR UPDATE on PostgreSQL) so two writers are serialised
    and the second one sees the first one's revision instead of overwriting it.
    """
    with transaction.atomic():
        audit_lock()
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.current_revision_id != (expected_parent.pk if expected_parent else None):
            raise RevisionConflict(
                f"the article is at revision {locked.current_revision.number if locked.current_revision else 0}; "
                f"this edit was made on revision {expected_parent.number if expected_parent else 0}"
            )
        revision = Revision.objects.create(
            article=locked,
            number=(expected_parent.number if expected_parent else 0) + 1,
            parent=expected_parent,
            blocks=[block.as_dict() for block in blocks],
            author=author,
            message=message,
        )
        headline = next((block.text for block in blocks if block.kind == "headline"), locked.headline)
        Article.objects.filter(pk=locked.pk).update(
            current_revision=revision, headline=headline[:500], updated_at=timezone.now()
        )
        article_changed(locked.pk)
        archive_changed()  # the headline may have changed
        audit_record(actor=author, action="revision.create", target=locked, **_blocks_change(expected_parent, revision))
    article.refresh_from_db()
    return revision


def _blocks_change(parent: Revision | None, revision: Revision) -> dict[str, dict]:
    """The blocks that differ between two revisions (common leading and trailing blocks left out)."""
    old, new = (parent.blocks if parent else []), revision.blocks
    first = 0
    while first < min(len(old), len(new)) and old[first] == new[first]:
        first += 1
    last = 0
    while last < min(len(old), len(new)) - first and old[-1 - last] == new[-1 - last]:
        last += 1
    return {
        "before": {
            "revision": parent.number if parent else 0,
            "from_block": first,
            "blocks": old[first : len(old) - last],
        },
        "after": {
            "revision": revision.number,
            "message": revision.message,
            "from_block": first,
            "blocks": new[first : len(new) - last],
        },
    }


def originals_verify() -> list[Original]:
    """Return every original whose bytes no longer match the SHA-256 recorded at import."""
    return [
        original for original in Original.objects.order_by("pk").iterator(chunk_size=200) if not original.is_intact()
    ]
