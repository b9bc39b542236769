"""The XSS corpus: payloads, an archive with one in every user-entered field, and the check of a page.

Every payload sets `window.__xss` (to its own number) if it ever runs, so the browser test can tell
that nothing did; the server-side tests parse each page and look for anything a payload could have
become: an element with an event handler, an inline or foreign script, a frame, a `javascript:` or
`data:` URL, a <base> or a refreshing <meta>.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.utils.html import escape

from annotations.anchoring import Selectors
from annotations.models import Annotation, Correction, Entity, GlossaryEntry
from annotations.search import search_index_update
from annotations.services.annotating import Body, annotation_create
from annotations.services.corrections import correction_propose, correction_reject, corrections_accept
from annotations.services.entities import entity_create, entity_tag_add, mention_create
from annotations.services.glossary import glossary_remember, glossary_scan
from annotations.services.links import ExternalCoverage, article_link_create, external_link_create
from archive.models import Article
from archive.services import article_import
from tests.factories import make_article, make_member

PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    "<svg onload=window.__xss=3></svg>",
    '" onmouseover="window.__xss=4" autofocus onfocus="window.__xss=4" x="',
    "' onfocus='window.__xss=5' autofocus tabindex='1",
    '"><script>window.__xss=6</script>',
    "</textarea><script>window.__xss=7</script>",
    "</script><script>window.__xss=8</script>",
    '<a href="javascript:window.__xss=9">a javascript: link</a>',
    '<iframe src="data:text/html,<script>parent.__xss=10</script>"></iframe>',
    '<details open ontoggle="window.__xss=11">',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=12>",
    # Unicode: fullwidth brackets, a right-to-left override, a zero-width space inside the tag name.
    "＜script＞window.__xss=13＜/script＞ \u202egnp.exe\u202c <scr\u200bipt>window.__xss=13</scr\u200bipt>",
    "&lt;script&gt;window.__xss=14&lt;/script&gt; %3Cscript%3Ewindow.__xss=14%3C/script%3E",
    "{{ request.user.password }}{% debug %}{# a comment #}",
    '\\"};window.__xss=15;//</script>',
    '<!--<img src="--><img src=x onerror=window.__xss=16>-->',
    "<style>@import 'javascript:window.__xss=17';</style><link rel=stylesheet href=data:,x>",
    "`${window.__xss=18}`",
    '<base href="javascript:/"><meta http-equiv="refresh" content="0;url=javascript:window.__xss=19">',
)
FILENAME = '"><img src=x onerror=window.__xss=20>.txt'
#: What `javascript:` and `data:` URLs look like when someone tries to sneak them past a check.
SCRIPT_URLS = (
    "javascript:window.__xss=30",
    "JavaScript:window.__xss=30",
    " javascript:window.__xss=30",
    "java\tscript:window.__xss=30",
    "\x01javascript:window.__xss=30",
    "data:text/html,<script>window.__xss=30</script>",
    "vbscript:msgbox(1)",
    "javascript://example.org/%0Awindow.__xss=30",
)
#: A link whose URL is valid http(s) and still full of markup: it must come out as an attribute value.
MARKUP_URL = 'https://example.org/a?q="><script>window.__xss=21</script>'


def paragraph(number: int, payload: str) -> str:
    return f"Paragraph {number}: {payload} — and some more words to read."


def payload_file() -> bytes:
    """An article with payloads in its headline, paragraphs, captions and a teaser."""
    lines = [
        f"Headline {PAYLOADS[0]} {PAYLOADS[5]} {PAYLOADS[7]}",
        *(paragraph(number, payload) for number, payload in enumerate(PAYLOADS)),
        f"Police at the square {PAYLOADS[1]} (Photo: REUTERS / {PAYLOADS[2]})",
        f"Read more: {PAYLOADS[6]}",
        "Paragraph 0 is named once more here, for the glossary to find.",
    ]
    return "\n\n".join(lines).encode()


@dataclass
class XssWorld:
    editor: object
    reviewer: object
    admin: object
    article: Article
    other: Article
    notes: list[Annotation]
    accepted: Correction
    proposed: Correction
    rejected: Correction
    glossary: GlossaryEntry
    entities: list[Entity]
    tag_slugs: list[str] = field(default_factory=list)


def span(article: Article, needle: str, after: str = "") -> tuple[int, int]:
    """Offsets of `needle` in the current text (the first one after `after`)."""
    article.refresh_from_db()
    text = article.current_revision.text
    start = text.index(needle, text.index(after) if after else 0)
    return start, start + len(needle)


def on(article: Article, needle: str, after: str = "") -> Selectors:
    start, end = span(article, needle, after)
    return Selectors(exact=needle, start=start, end=end)


def build_xss_world() -> XssWorld:
    """Payloads in every field, each stored through the service an editor's action goes through."""
    editor, reviewer = make_member("xss-editor", "Editor"), make_member("xss-reviewer", "Reviewer")
    admin = get_user_model().objects.create_superuser("xss-admin", password="a-long-test-password")
    article = article_import(data=payload_file(), filename=FILENAME, publish=True).article
    other = make_article("Other coverage of the square", publish=True)
    notes = []
    for number, payload in enumerate(PAYLOADS):
        note = annotation_create(
            article=article,
            creator=editor,
            motivation="questioning" if number % 2 else "commenting",
            selectors=on(article, payload, after=f"Paragraph {number}:"),
            body=Body(payload),
            visibility="public" if number % 3 else "editors",
        )
        annotation_create(
            article=article,
            creator=reviewer,
            motivation="replying",
            parent=note,
            body=Body(PAYLOADS[-1 - number]),
            visibility=note.visibility,
        )
        notes.append(note)

    def propose(words: str, number: int, category: str = "style") -> Correction:
        """A correction of `words` to payload `number`, with the next payload as its reason."""
        return correction_propose(
            article=article,
            proposer=editor,
            replacement=PAYLOADS[number],
            reason=PAYLOADS[number + 1],
            category=category,
            span=span(article, words),
        )

    accepted = propose("Paragraph 0", 1, "terminology")
    corrections_accept(corrections=[accepted], reviewer=reviewer, note=PAYLOADS[3])
    accepted.refresh_from_db()
    glossary = glossary_remember(correction=accepted, user=reviewer)
    glossary_scan(articles=[article])  # "Paragraph 0" again: a glossary suggestion for the queue
    proposed = propose("Paragraph 4", 6)
    rejected = propose("Paragraph 5", 8)
    correction_reject(correction=rejected, reviewer=reviewer, note=PAYLOADS[10])
    entities = []
    for number, payload in enumerate(PAYLOADS):
        entity = entity_create(
            name=f"Entity {number} {payload}"[:100],
            kind="person",
            aliases=[f"alias {number} {payload}"[:100]],
            description=payload,
        )
        entity_tag_add(article=article, entity=entity, user=editor)
        entities.append(entity)
    mention_create(article=article, user=editor, selectors=on(article, "Paragraph 6"), entity=entities[1])
    article.tags.add(*[f"Tag {number} {payload}"[:100] for number, payload in enumerate(PAYLOADS)])
    article_link_create(
        source=article,
        target=other,
        kind="background",
        user=editor,
        note=PAYLOADS[11],
        selectors=on(article, "Paragraph 7"),
    )
    external_link_create(
        article=article,
        user=editor,
        coverage=ExternalCoverage(
            url=MARKUP_URL,
            title=PAYLOADS[12],
            outlet=PAYLOADS[13][:200],
            language='" onclick="x',
            note=PAYLOADS[16],
        ),
    )
    # What the on-commit hooks would have done (tests run in one transaction that never commits).
    search_index_update(article_ids=[article.pk, other.pk])
    article.refresh_from_db()
    return XssWorld(
        editor=editor,
        reviewer=reviewer,
        admin=admin,
        article=article,
        other=other,
        notes=notes,
        accepted=accepted,
        proposed=proposed,
        rejected=rejected,
        glossary=glossary,
        entities=entities,
        tag_slugs=list(article.tags.order_by("name").values_list("slug", flat=True)),
    )


# --------------------------------------------------------------------------- what a page may hold

#: Elements no page of ours contains, so one in a page came from a payload.
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "base", "applet", "style"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "srcdoc"}
#: Script elements that hold data, not code (anything else must load a same-origin file).
SCRIPT_TYPES = {"application/ld+json", "application/json"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = f"<{tag} {' '.join(f'{name}={value!r}' for name, value in attrs)}>"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"event handler {name} in {where}")
            if name in URL_ATTRIBUTES and value is not None and is_script_url(value, tag, attributes):
                self.found.append(f"script URL in {where}")
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"element {where}")
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append(f"element {where}")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            src = attributes.get("src") or ""
            same_origin = src.startswith("/") and not src.startswith("//")
            if not (same_origin or kind in SCRIPT_TYPES):
                self.found.append(f"script {where}")


def is_script_url(value: str, tag: str, attributes: dict) -> bool:
    """Whether a URL would run script or load inline content (browsers ignore leading spaces, tabs, newlines)."""
    cleaned = "".join(char for char in value if char > " ").lower()
    if tag == "link" and attributes.get("rel") == "icon" and cleaned == "data:,":
        return False  # templates/base.html: "no favicon"
    return cleaned.startswith(("javascript:", "vbscript:", "data:"))


def injections(html: str) -> list[str]:
    """Everything in the page that markup from a payload could have made (empty for a clean page)."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def escaped(payload: str) -> str:
    """How a payload appears in a page that auto-escapes it."""
    return escape(payload)


def missing_escaped(html: str, texts) -> list[str]:
    """The texts whose escaped form the page lacks."""
    return [text for text in texts if escape(text) not in html]
