"""The editor's view of an article's text: every visible annotation highlighted, by shape as well as colour.

Each block's text is wrapped in an element carrying the block's canonical offsets (`data-start`,
`data-end`), and each highlight carries its own, so the workspace script can turn a selection in the
page into W3C selectors: counting the characters of the text nodes inside `.block-text`, except
those of `.visually-hidden` labels, gives exactly the canonical offsets.
"""

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from annotations.highlighting import Highlight, Segment, segment_blocks
from annotations.models import Annotation
from archive.models import Revision


@dataclass(frozen=True)
class EditorBlock:
    kind: str
    start: int
    end: int
    html: SafeString


def editor_blocks(revision: Revision, annotations: list[Annotation]) -> list[EditorBlock]:
    """Return every block of the revision (teasers and boilerplate included) with its offsets and HTML."""
    placed = [a for a in annotations if a.revision_id == revision.pk and not a.is_orphaned and a.end > a.start]
    highlights = []
    for a in placed:
        kind, label = highlight_kind(a)
        highlights.append(Highlight(a.start, a.end, kind, number=a.pk, label=label))
    segmented = segment_blocks(revision.text, revision.spans, highlights)
    return [
        EditorBlock(
            span.kind,
            span.start,
            span.end,
            mark_safe("".join(render(segment) for segment in segments)),  # noqa: S308 - escaped parts
        )
        for span, segments in zip(revision.spans, segmented, strict=True)
    ]


def is_applied(annotation: Annotation) -> bool:
    """Whether the annotation is an accepted correction: its words are the fix, no longer a proposal."""
    correction = getattr(annotation, "correction", None)  # select_related; missing for other annotations
    return correction is not None and correction.state == "accepted"


def highlight_kind(annotation: Annotation) -> tuple[str, str]:
    """The (CSS kind, label) of an annotation's highlight; accepted corrections differ from proposed ones."""
    if is_applied(annotation):
        return "corrected", "Correction (accepted)"
    return annotation.motivation, annotation.get_motivation_display()


def render(segment: Segment) -> str:
    text = escape(segment.text)
    if not segment.highlights:
        return text
    kinds = sorted({h.kind for h in segment.highlights})
    ids = " ".join(str(h.number) for h in segment.highlights)
    labels = ", ".join(sorted({h.label for h in segment.highlights}))
    return format_html(
        '<mark class="hl {}" data-ids="{}" data-start="{}" data-end="{}"><span class="visually-hidden">[{}: </span>{}'
        '<span class="visually-hidden">]</span></mark>',
        " ".join(f"hl-{kind}" for kind in kinds),
        ids,
        segment.start,
        segment.end,
        labels,
        mark_safe(text),  # noqa: S308
    )
