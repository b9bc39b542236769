"""The pure importer: decoding, normalising and segmenting files into typed blocks."""

import random
from collections import Counter

import pytest

from archive.blocks import BLOCK_SEPARATOR, block_at, block_spans, canonical_text
from archive.importing import ImportRejected, parse_article
from tests.factories import seed_bytes


def kinds(parsed):
    return Counter(block.kind for block in parsed.blocks)


def test_seed_segments_exactly():
    parsed = parse_article(seed_bytes(), "seed.txt")
    assert kinds(parsed) == {"headline": 1, "paragraph": 9, "caption": 3, "teaser": 1, "boilerplate": 2}
    assert parsed.headline == "Belarus riots: Putin’s response and US intervention"
    assert parsed.encoding == "utf-8"


def test_seed_blocks_are_in_reading_order_with_the_right_kinds():
    parsed = parse_article(seed_bytes(), "seed.txt")
    sequence = [block.kind[0] for block in parsed.blocks]
    assert "".join(sequence) == "hppcptpcpppcppbb"
    assert parsed.blocks[-2].text == "Please enter your comment!"
    assert parsed.blocks[-1].text == "Please enter your name here"


def test_doubled_caption_is_stored_once_and_the_duplicate_recorded():
    parsed = parse_article(seed_bytes(), "seed.txt")
    captions = [block.text for block in parsed.blocks if block.kind == "caption"]
    assert captions[1] == "Belarusian President Alexander Lukashenko (Photo: Sergei Gapon / Pool via REUTERS)"
    assert len(parsed.notes) == 1 and "pasted twice" in parsed.notes[0]


def test_teaser_bullet_is_recognised_and_its_glyph_dropped():
    parsed = parse_article(seed_bytes(), "seed.txt")
    teaser = next(block for block in parsed.blocks if block.kind == "teaser")
    assert teaser.text == "A revolutionary mask that not only protects but also destroys the corona viruses"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Protesters in Minsk (Photo: AP / Jane Doe)", "caption"),
        ("Crowds on Sunday. Photo: AFP", "caption"),
        ("The square at night (AP Photo/Sergei Grits)", "caption"),
        ("Police lines near the station. Photo by Ivan Ivanov", "caption"),
        ("Riot police © Reuters", "caption"),
        ("• Ten recipes for a cold winter", "teaser"),
        ("Read more: Ten recipes for a cold winter", "teaser"),
        ("Leave a Reply", "boilerplate"),
        ("Your email address will not be published. Required fields are marked *", "boilerplate"),
        ("Please enter your comment!", "boilerplate"),
        ("He said the photo: was taken in Minsk, and that it proved nothing at all.", "paragraph"),
        ("The minister spoke of a crisis.", "paragraph"),
    ],
)
def test_lines_are_classified_by_pattern(line, kind):
    parsed = parse_article(f"Headline\n\nA first paragraph of text.\n\n{line}\n".encode(), "a.txt")
    assert parsed.blocks[-1].kind == kind


def test_crlf_and_bom_are_normalised():
    raw = "\ufeffHeadline\r\n\r\nFirst paragraph.\r\nSecond paragraph.\r\n".encode()
    parsed = parse_article(raw, "a.txt")
    assert parsed.encoding == "utf-8-sig"
    assert [block.text for block in parsed.blocks] == ["Headline", "First paragraph.", "Second paragraph."]


def test_cp1251_russian_is_detected_and_recorded():
    text = (
        "Протесты в Белоруссии продолжаются\n\n"
        "Волна протестов в Белоруссии продолжается после выборов президента. Сегодня сообщили, что "
        "международные организации пытаются помочь стране успокоить ситуацию. Лукашенко заявил, что "
        "Белоруссии не нужны внешние посредники, и что страна никому не будет отдана.\n\n"
        "Оппозиционный кандидат Светлана Тихановская, бывшая учительница, получила только десять процентов "
        "голосов, после чего её сторонники вышли на улицы по всей стране.\n"
    )
    parsed = parse_article(text.encode("cp1251"), "ru.txt")
    assert parsed.encoding in {"cp1251", "windows-1251"}
    assert parsed.headline == "Протесты в Белоруссии продолжаются"
    assert kinds(parsed)["paragraph"] == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n\t \n", "no text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary data"),
        (b"Headline\n\nText with a NUL\x00 byte in it.\n", "binary data"),
        (bytes(range(1, 32)) * 20, "binary data"),
        (b"Headline only\n", "no paragraphs"),
        (b"x" * (1024 * 1024), "no paragraph breaks"),
    ],
)
def test_bad_input_is_refused_with_a_reason(data, reason):
    with pytest.raises(ImportRejected, match=reason):
        parse_article(data, "bad.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00\xd8a\x00b\x00",  # a UTF-16 mark, then a lone surrogate
        random.Random(1).randbytes(600).translate(bytes(range(128, 256)) * 2),  # high bytes, no sense
    ],
)
def test_undecodable_bytes_are_refused(data):
    with pytest.raises(ImportRejected, match="undecodable"):
        parse_article(data, "bad.txt")


def test_size_limit_is_configurable():
    data = b"Headline\n\n" + b"A paragraph. " * 100
    assert parse_article(data, "ok.txt", max_bytes=len(data)).headline == "Headline"
    with pytest.raises(ImportRejected, match="over the import limit of 100 bytes"):
        parse_article(data, "big.txt", max_bytes=100)


def test_html_inside_a_text_file_is_kept_as_text():
    parsed = parse_article(b"Headline <b>bold</b>\n\n<script>alert(1)</script> and a paragraph.\n", "x.txt")
    assert parsed.headline == "Headline <b>bold</b>"
    assert parsed.blocks[1].text == "<script>alert(1)</script> and a paragraph."


def test_html_files_are_read_by_their_block_elements():
    page = (
        b"<html><head><title>Riots in Minsk</title><script>var x = 1;</script></head><body>"
        b"<nav>Home | World</nav><h1>Riots in Minsk</h1><p>First &amp; foremost, a paragraph.</p>"
        b"<figure><img src=x><figcaption>Police in Minsk (Photo: AP)</figcaption></figure>"
        b"<p>Second paragraph.</p><form>Leave a Reply</form></body></html>"
    )
    parsed = parse_article(page, "page.html")
    assert [(block.kind, block.text) for block in parsed.blocks] == [
        ("headline", "Riots in Minsk"),
        ("paragraph", "First & foremost, a paragraph."),
        ("caption", "Police in Minsk (Photo: AP)"),
        ("paragraph", "Second paragraph."),
    ]


def test_a_file_without_a_short_first_line_gets_a_headline_from_its_words():
    long_first = "word " * 80
    parsed = parse_article(f"{long_first}\n\nAnother paragraph.\n".encode(), "x.txt")
    assert parsed.blocks[0].kind == "paragraph"
    assert parsed.headline == " ".join(["word"] * 12) + "…"


def test_canonical_offsets_map_back_to_blocks():
    blocks = parse_article(seed_bytes(), "seed.txt").blocks
    text = canonical_text(blocks)
    spans = block_spans(blocks)
    for span, block in zip(spans, blocks, strict=True):
        assert text[span.start : span.end] == block.text
        assert block_at(spans, span.start) == span
    separator_offset = spans[0].end
    assert text[separator_offset : separator_offset + 2] == BLOCK_SEPARATOR
    assert block_at(spans, separator_offset) is None
    belchett = text.index("Belchett")
    assert block_at(spans, belchett).kind == "paragraph"
