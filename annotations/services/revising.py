"""Making a new revision of an article from edits, carrying every annotation through them."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from annotations.models import Annotation
from annotations.search import search_index_update_on_commit
from annotations.services.annotating import annotations_carry
from archive.blocks import apply_block_edits
from archive.models import Article, Revision
from archive.services import revision_create


@dataclass(frozen=True)
class RevisionOutcome:
    revision: Revision
    #: Annotations an edit overlapped (needs review) or that lost their text (orphaned).
    attention: list[Annotation]


def article_revise(
    *, article: Article, edits: Sequence[tuple[int, int, str]], author, message: str, base: Revision
) -> RevisionOutcome:
    """Apply `edits` to revision `base` as a new revision and carry the annotations exactly.

    Raises archive.services.RevisionConflict when `base` is no longer the current revision, and
    archive.blocks.BlockEditError for edits the block structure cannot take; nothing is written then.
    """
    blocks, applied = apply_block_edits(base.block_list, edits)
    with transaction.atomic():
        revision = revision_create(article=article, blocks=blocks, author=author, message=message, expected_parent=base)
        attention = annotations_carry(article=article, old=base, new=revision, edits=applied)
        search_index_update_on_commit([article.pk])
    return RevisionOutcome(revision, attention)
