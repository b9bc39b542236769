"""Turn the bytes of an imported file into a headline and typed blocks (pure: no Django).

Machine-translated news arrives as copied web pages: a headline line, paragraphs, photo
captions (often pasted twice), promo bullets for other stories and comment-form prompts.
`parse_article` decodes the bytes, normalises the text and classifies each line by pattern.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from charset_normalizer import from_bytes

from archive.blocks import BOILERPLATE, CAPTION, HEADLINE, PARAGRAPH, TEASER, Block

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
#: A line longer than this is not a paragraph of an article but a dump without line breaks.
MAX_LINE_CHARS = 20_000
MAX_HEADLINE_CHARS = 300
MAX_CAPTION_CHARS = 400
#: The shortest text that counts as pasted twice; shorter repeats ("Ha ha") are normal prose.
MIN_DOUBLED_CHARS = 16

BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a Word/ODF document)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
}

BOILERPLATE_PATTERNS = re.compile(
    r"^(please enter your (comment|name|email)|leave a (reply|comment)|"
    r"your email address will not be published|required fields are marked|"
    r"you have entered an incorrect email|save my name, email|post comment|"
    r"(sign up|subscribe) (to|for) (our|the) newsletter|share this( article)?:?$|"
    r"click to share|comments?( \(\d+\))?:?$|add a comment|log in to comment|"
    r"all rights reserved|advertisement$|follow us on)",
    re.IGNORECASE,
)
BULLETS = "•◦▪▫●►▶‣∙"
TEASER_PATTERNS = re.compile(
    rf"^([{BULLETS}]|(read (more|also)|also read|see also|related( article| story)?|"
    r"recommended|watch|more on this)\s*:)",
    re.IGNORECASE,
)
# "(Photo: REUTERS / Vasily Fedosenko)", "Photo: TUT.BY VIA REUTERS", "(AP Photo/Jane Doe)",
# "Photo by Jane Doe", "© Reuters" — a credit standing at the end of a short line.
CAPTION_CREDIT = re.compile(
    r"(\(\s*(photos?|photograph|picture|image|illustration|credit|foto|video)\s*[:/][^()]{1,120}\)"
    r"|\([A-Z][\w .&-]{0,30}photo\s*/[^()]{1,80}\)"
    r"|\b(photos?|photograph|credit|foto)\s*(:|by)\s*[^!?]{2,120}(?<![.!?])"
    r"|©\s*[^.!?]{2,80})\s*$",
    re.IGNORECASE,
)
HTML_BLOCK_TAGS = {"p", "h1", "h2", "h3", "figcaption", "li", "blockquote", "div", "title"}
HTML_SKIPPED_TAGS = {"script", "style", "nav", "footer", "header", "aside", "form", "noscript"}


class ImportRejected(ValueError):
    """The file cannot become an article; the message says why in one line."""


@dataclass
class ParsedArticle:
    headline: str
    blocks: list[Block]
    encoding: str
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for block in self.blocks if block.kind == kind)


def parse_article(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedArticle:
    """Return the article in `data`; raise ImportRejected with a one-line reason."""
    check_size(data, max_bytes)
    text, encoding = decode(data)
    if filename.lower().endswith((".html", ".htm")):
        lines = html_to_lines(text)
    else:
        lines = normalise(text).split("\n")
    headline, blocks, notes = segment(lines)
    return ParsedArticle(headline=headline, blocks=blocks, encoding=encoding, notes=notes)


def check_size(data: bytes, max_bytes: int) -> None:
    """Refuse empty files and files over the size limit."""
    if not data:
        raise ImportRejected("empty file")
    if len(data) > max_bytes:
        raise ImportRejected(f"file is {len(data):,} bytes, over the import limit of {max_bytes:,} bytes")


def decode(data: bytes) -> tuple[str, str]:
    """Return the text and the name of its detected encoding; refuse binary or undecodable data."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return check_not_binary(data.decode(encoding)), encoding
            except UnicodeDecodeError as exc:
                raise ImportRejected(f"undecodable text: it starts with a {encoding} mark but {exc.reason}") from exc
    for signature, description in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportRejected(f"binary data: this looks like {description}, not text")
    if b"\x00" in data:
        raise ImportRejected("binary data: the file contains NUL bytes")
    try:
        return check_not_binary(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ImportRejected("undecodable text: not UTF-8, and no known encoding fits")
    return check_not_binary(str(best)), best.encoding


def check_not_binary(text: str) -> str:
    """Return `text` unless control characters show it is really binary data."""
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f")
    if controls > max(3, len(text) // 100):
        raise ImportRejected(f"binary data: {controls:,} control characters in the text")
    return text


def normalise(text: str) -> str:
    """Unify line ends, drop a stray BOM, compose Unicode (NFC) and tidy spaces within lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))


def segment(lines: list[str]) -> tuple[str, list[Block], list[str]]:
    """Classify non-empty lines into blocks; return (headline, blocks, cleanup notes)."""
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line]
    if not numbered:
        raise ImportRejected("no text: the file holds only white space")
    for number, line in numbered:
        if len(line) > MAX_LINE_CHARS:
            raise ImportRejected(
                f"line {number} has {len(line):,} characters with no paragraph breaks; "
                "this does not look like an article"
            )
    notes: list[str] = []
    blocks: list[Block] = []
    first_number, first_line = numbered[0]
    if len(first_line) <= MAX_HEADLINE_CHARS and not BOILERPLATE_PATTERNS.match(first_line):
        blocks.append(Block(HEADLINE, first_line))
        numbered = numbered[1:]
    for number, line in numbered:
        line = undouble(line, number, notes)
        if blocks and blocks[-1].text == line:
            notes.append(f"line {number}: repeats the line before it; kept once")
            continue
        kind = classify(line)
        blocks.append(Block(kind, line.lstrip(BULLETS + " ") if kind == TEASER else line))
    if not any(block.kind == PARAGRAPH for block in blocks):
        raise ImportRejected("no paragraphs: nothing in the file reads as article text")
    headline = blocks[0].text if blocks[0].kind == HEADLINE else headline_from(blocks)
    return headline, blocks, notes


def undouble(line: str, number: int, notes: list[str]) -> str:
    """Return `line` once when it is the same text pasted twice in a row on one line."""
    for gap in range(4):
        half, odd = divmod(len(line) - gap, 2)
        first, between, second = line[:half], line[half : half + gap], line[half + gap :]
        if not odd and half >= MIN_DOUBLED_CHARS and first == second and not between.strip():
            notes.append(f"line {number}: the same text was pasted twice in one line; kept once")
            return first
    return line


def classify(line: str) -> str:
    """Return the block kind of one non-headline line."""
    if BOILERPLATE_PATTERNS.match(line):
        return BOILERPLATE
    if TEASER_PATTERNS.match(line):
        return TEASER
    if len(line) <= MAX_CAPTION_CHARS and CAPTION_CREDIT.search(line):
        return CAPTION
    return PARAGRAPH


def headline_from(blocks: list[Block]) -> str:
    """Return a stand-in headline (the first words of the text) for a file without one."""
    words = next(block.text for block in blocks if block.kind == PARAGRAPH).split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


class _TextExtractor(HTMLParser):
    """Collects the text of block elements, skipping scripts, navigation and forms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HTML_SKIPPED_TAGS:
            self.skipping += 1
        elif tag in HTML_BLOCK_TAGS or tag == "br":
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in HTML_SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in HTML_BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []


def html_to_lines(text: str) -> list[str]:
    """Return the lines of text of an HTML page, one per block element."""
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    extractor.flush()
    lines = [unicodedata.normalize("NFC", line) for line in extractor.lines]
    # A page's <title> usually repeats its <h1>: keep the headline once.
    if len(lines) > 1 and lines[1] in lines[0]:
        lines = lines[1:]
    return lines
