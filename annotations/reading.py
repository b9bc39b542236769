"""The article as readers see it: text with public notes, disclosed corrections and entity mentions.

Builds everything the public article page shows in a fixed number of queries, whatever the
number of annotations, and renders the highlighted text to HTML with every user string escaped.
"""

import json
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from annotations.disclosure import ReaderCorrection, article_quality, correction_jsonld, corrections_for_reader
from annotations.highlighting import CORRECTION, MENTION, NOTE, Highlight, Segment, segment_blocks
from annotations.models import Annotation
from annotations.quality import QualitySummary
from annotations.reading_entities import (
    EntityChip,
    RelatedCoverage,
    entity_chips,
    mentions_for_reader,
    related_for_reader,
)
from archive.blocks import READER_KINDS
from archive.models import Article

#: Characters that must not appear raw inside a <script> element (as Django's json_script escapes them).
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

NOTE_MOTIVATIONS = (Annotation.Motivation.COMMENTING, Annotation.Motivation.QUESTIONING)


@dataclass
class ReaderBlock:
    kind: str
    html: SafeString


@dataclass
class ReaderArticle:
    blocks: list[ReaderBlock]
    notes: list[Annotation]
    #: Public notes whose passage is gone from the current text, or is not shown to readers.
    detached_notes: list[Annotation] = field(default_factory=list)
    corrections: list[ReaderCorrection] = field(default_factory=list)
    quality: QualitySummary | None = None
    entities: list[EntityChip] = field(default_factory=list)
    related: RelatedCoverage | None = None
    jsonld: SafeString = SafeString("")


def public_notes(article: Article) -> list[Annotation]:
    """Public comments and questions on the article, in text order, with their public replies."""
    replies = Annotation.objects.filter(visibility=Annotation.Visibility.PUBLIC).select_related("creator")
    return list(
        Annotation.objects.filter(article=article, motivation__in=NOTE_MOTIVATIONS, visibility="public", parent=None)
        .select_related("creator")
        .prefetch_related(Prefetch("replies", queryset=replies.order_by("created_at"), to_attr="public_replies"))
        .in_text_order()
    )


def reader_article(article: Article) -> ReaderArticle:
    """Return everything the public page shows of the article, in a fixed number of queries."""
    corrections = corrections_for_reader(article)
    highlights = mentions_for_reader(article) + [
        Highlight(c.start, c.end, CORRECTION, c.number, label=c.note) for c in corrections if not c.is_removal
    ]
    reader = annotated_text(article, highlights)
    reader.corrections = corrections
    reader.quality = article_quality(article) if corrections else None
    reader.entities = entity_chips(article)
    reader.related = related_for_reader(article)
    reader.jsonld = news_article_jsonld(article, corrections)
    return reader


def annotated_text(article: Article, highlights: list[Highlight]) -> ReaderArticle:
    """The reader's blocks (headline first) rendered with `highlights` and the numbered public notes."""
    revision = article.current_revision
    shown = [span for span in revision.spans if span.kind in READER_KINDS]
    notes, detached = [], []
    for note in public_notes(article):
        placed = note.revision_id == revision.pk and note.anchor_state != Annotation.Anchoring.ORPHANED
        visible = placed and any(span.start <= note.start and note.end <= span.end for span in shown)
        (notes if visible else detached).append(note)
    highlights = list(highlights)
    for number, note in enumerate(notes, start=1):
        note.number = number
        highlights.append(Highlight(note.start, note.end, NOTE, number, label=note.get_motivation_display()))
    segmented = segment_blocks(revision.text, shown, highlights)
    blocks = [
        ReaderBlock(span.kind, render_segments(segments)) for span, segments in zip(shown, segmented, strict=True)
    ]
    return ReaderArticle(blocks=blocks, notes=notes, detached_notes=detached)


def news_article_jsonld(article: Article, corrections: list[ReaderCorrection]) -> SafeString:
    """The schema.org NewsArticle of the page as a JSON-LD script element, with a `correction` per fix."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "inLanguage": article.language,
        "url": article.get_absolute_url(),
        "dateModified": article.updated_at.isoformat(),
    }
    if article.published_on:
        data["datePublished"] = article.published_on.isoformat()
    if article.outlet_id:
        data["publisher"] = {"@type": "Organization", "name": article.outlet.name}
    if corrections:
        data["correction"] = correction_jsonld(article, corrections)
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308 - escaped


def render_segments(segments: list[Segment]) -> SafeString:
    """Render segments to HTML: <ins> for corrections, links for mentions, <mark> for notes."""
    return mark_safe("".join(render_segment(segment) for segment in segments))  # noqa: S308 - parts escaped


def render_segment(segment: Segment) -> str:
    html = escape(segment.text)
    notes = segment.of_kind(NOTE)
    if notes:
        anchors = "".join(
            format_html('<span id="mark-{}"></span>', h.number) for h in segment.starting() if h.kind == NOTE
        )
        html = format_html('{}<mark class="note-mark">{}</mark>', mark_safe(anchors), mark_safe(html))  # noqa: S308
    for mention in segment.of_kind(MENTION)[:1]:
        html = format_html('<a class="mention" href="{}">{}</a>', mention.href, mark_safe(html))  # noqa: S308
    for correction in segment.of_kind(CORRECTION)[:1]:
        html = format_html('<ins class="correction" title="{}">{}</ins>', correction.label, mark_safe(html))  # noqa: S308
    return html + "".join(reference(h) for h in segment.ending() if h.kind in (NOTE, CORRECTION))


def reference(highlight: Highlight) -> str:
    """The footnote marker after a highlight, linking to its note or correction entry."""
    if highlight.kind == NOTE:
        return format_html(
            '<a class="note-ref" id="ref-note-{n}" href="#note-{n}"><span class="visually-hidden">note </span>{n}</a>',
            n=highlight.number,
        )
    return format_html(
        '<a class="correction-ref" id="ref-correction-{n}" href="#correction-{n}">'
        '<span class="visually-hidden">correction </span>†{n}</a>',
        n=highlight.number,
    )
