"""What readers are told about corrections: marked spans, the Corrections box, JSON-LD and the MQM summary.

A correction is disclosed while its fix is in the current text: it was accepted and its editing
annotation still selects the replacement on the current revision (a later edit over the same
words, or restoring an older revision, withdraws it from the page; the history keeps it).
Removals (an empty replacement) have no span left to mark: they are listed in the box only,
after the others, for as long as they are accepted.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from annotations.models import Annotation, Correction
from annotations.quality import CATEGORIES, QualitySummary, quality_summary
from archive.blocks import READER_KINDS
from archive.models import Article

#: How each category reads to a reader, after "corrected from ‘…’ —".
READER_LABELS = {
    "mistranslation": "mistranslation",
    "omission": "words missing in translation",
    "addition": "words added in translation",
    "untranslated": "untranslated text",
    "grammar": "grammar",
    "spelling": "spelling",
    "punctuation": "punctuation",
    "terminology": "name or term spelling",
    "style": "literal translation",
    "locale-convention": "local convention",
    "markup": "leftover link formatting",
    "removal": "text that was not part of the article",
}
PLACED = (Annotation.Anchoring.ANCHORED, Annotation.Anchoring.MOVED)
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class ReaderCorrection:
    """One accepted correction as readers see it; start/end are offsets in the current revision's text."""

    number: int
    correction_id: int
    start: int | None
    end: int | None
    replacement: str
    original_text: str
    category: str
    category_label: str
    reader_label: str
    accepted_at: datetime

    @property
    def is_removal(self) -> bool:
        return self.start is None

    @property
    def note(self) -> str:
        """The footnote text, e.g. "corrected from ‘Belchett’ — name or term spelling"."""
        if self.is_removal:
            return f"removed ‘{self.original_text}’ — {self.reader_label}"
        return f"corrected from ‘{self.original_text}’ — {self.reader_label}"


def corrections_for_reader(article: Article) -> list[ReaderCorrection]:
    """Return the accepted corrections in the current text, numbered in text order (removals last).

    One query (two if the article's current revision is not loaded yet).
    """
    revision = article.current_revision
    if revision is None:
        return []
    shown = [span for span in revision.spans if span.kind in READER_KINDS]
    rows = (
        Correction.objects.filter(annotation__article=article, state=Correction.State.ACCEPTED)
        .select_related("annotation")
        .order_by("annotation__start", "reviewed_at", "pk")
    )
    marked, removed = [], []
    for row in rows:
        annotation = row.annotation
        if not row.replacement:
            removed.append((None, None, row))
            continue
        in_text = (
            annotation.revision_id == revision.pk
            and annotation.anchor_state in PLACED
            and annotation.exact == row.replacement
            and any(span.start <= annotation.start and annotation.end <= span.end for span in shown)
        )
        if in_text:
            marked.append((annotation.start, annotation.end, row))
    removed.sort(key=lambda item: (item[2].reviewed_at, item[2].pk))
    return [
        ReaderCorrection(
            number=number,
            correction_id=row.pk,
            start=start,
            end=end,
            replacement=row.replacement,
            original_text=row.original_text,
            category=row.category,
            category_label=CATEGORIES[row.category][1],
            reader_label=READER_LABELS[row.category],
            accepted_at=row.reviewed_at,
        )
        for number, (start, end, row) in enumerate(marked + removed, start=1)
    ]


def correction_jsonld(article: Article, corrections: list[ReaderCorrection]) -> list[dict]:
    """Return schema.org CorrectionComment objects for a NewsArticle's `correction` property."""
    return [
        {
            "@type": "CorrectionComment",
            "text": _jsonld_text(correction),
            "datePublished": correction.accepted_at.isoformat(),
            "url": f"{article.get_absolute_url()}#correction-{correction.number}",
        }
        for correction in corrections
    ]


def _jsonld_text(correction: ReaderCorrection) -> str:
    if correction.is_removal:
        return f"Removed “{correction.original_text}” ({correction.reader_label})."
    return f"Corrected “{correction.original_text}” to “{correction.replacement}” ({correction.reader_label})."


def article_quality(article: Article, *, include_proposed: bool = False) -> QualitySummary:
    """Return the MQM summary of the article's machine translation; two queries.

    Decision: only accepted corrections count by default, because a proposal is a claim that a
    reviewer has not confirmed yet (and any editor could otherwise lower a score); an editor view
    may pass include_proposed=True to see the score pending proposals would give. Rejected ones
    never count. Words are counted in the reader's text of revision 1, the machine translation as
    imported, which is the text MQM evaluates.
    """
    states = [Correction.State.ACCEPTED]
    if include_proposed:
        states += [Correction.State.PROPOSED, Correction.State.NEEDS_REBASE]
    errors = Correction.objects.filter(annotation__article=article, state__in=states).values_list(
        "category", "severity"
    )
    first = article.revisions.filter(number=1).only("blocks").first()
    words = 0
    if first is not None:
        words = sum(len(_WORD_RE.findall(block.text)) for _, block in first.reader_blocks())
    return quality_summary(list(errors), words)
