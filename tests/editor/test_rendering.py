"""The workspace text's contract with the script: each block's characters, labels left out, are its canonical text."""

import re
from html import unescape

import pytest

from annotations.anchoring import Selectors
from annotations.services.annotating import annotation_create
from annotations.services.corrections import correction_accept, correction_propose
from editor.rendering import editor_blocks
from editor.views.workspace import workspace_annotations
from tests.factories import import_seed, make_member

pytestmark = pytest.mark.django_db

LABEL = re.compile(r'<span class="visually-hidden">[^<]*</span>')
TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    return unescape(TAG.sub("", LABEL.sub("", html)))


def test_blocks_carry_their_offsets_and_exact_text_with_overlapping_highlights():
    article = import_seed(publish=False)
    editor, reviewer = make_member("ed", "Editor"), make_member("rev", "Reviewer")
    text = article.current_revision.text
    for quote in ("Michelle Belchett, Condemned", "Belchett", "Belarus riots: Putin’s", "“violent response”"):
        start = text.index(quote)
        annotation_create(
            article=article,
            creator=editor,
            motivation="commenting",
            selectors=Selectors(exact=quote, start=start, end=start + len(quote)),
        )
    start = text.index("Spoke")
    spoke = correction_propose(
        article=article, proposer=editor, replacement="spoke", category="markup", span=(start, start + 5)
    )
    correction_accept(correction=spoke, reviewer=reviewer)
    article.refresh_from_db()
    revision = article.current_revision
    blocks = editor_blocks(revision, workspace_annotations(article, editor))
    assert [(b.kind, b.start, b.end) for b in blocks] == [(s.kind, s.start, s.end) for s in revision.spans]
    for block in blocks:
        assert visible_text(block.html) == revision.text[block.start : block.end]
    html = "".join(block.html for block in blocks)
    assert html.count("hl-corrected") == 1 and "[Correction (accepted): </span>spoke" in html
    for mark in re.finditer(r'<mark [^>]*data-start="(\d+)" data-end="(\d+)">(.*?)</mark>', html):
        assert visible_text(mark.group(3)) == revision.text[int(mark.group(1)) : int(mark.group(2))]
