"""JSON-LD in and out: the W3C Web Annotation shape we write, and reading posted annotations field by field."""

import re
from datetime import UTC, datetime

import pytest

from annotations import jsonld
from annotations.anchoring import Selectors
from annotations.services.annotating import AnnotationError, Body, annotation_create
from tests.factories import import_seed, make_user

ANNO = "http://www.w3.org/ns/anno.jsonld"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
LINKS = jsonld.Links.for_base("https://palimpsest.test/")


def minimal(**extra) -> dict:
    target = {"source": "https://palimpsest.test/articles/a/", "selector": {"type": "TextQuoteSelector", "exact": "x"}}
    return {"@context": ANNO, "type": "Annotation", "target": target} | extra


def selecting(selector) -> dict:
    return minimal(target={"source": "https://palimpsest.test/articles/a/", "selector": selector})


# --------------------------------------------------------------------------- reading (no database)


def test_a_minimal_annotation_is_a_comment_without_body():
    posted = jsonld.parse_annotation(minimal())
    assert posted.motivation == "commenting" and not posted.motivation_given
    assert posted.body == Body() and posted.target == jsonld.TextTarget(
        "https://palimpsest.test/articles/a/", Selectors(exact="x")
    )
    assert (posted.visibility, posted.status, posted.canonical) == (None, None, "")


def test_textual_body_and_body_value_are_read():
    posted = jsonld.parse_annotation(
        minimal(body=[{"type": "TextualBody", "value": "Hi", "format": "text/markdown", "language": "pt-BR"}])
    )
    assert posted.body == Body("Hi", "text/markdown", "pt-BR")
    assert jsonld.parse_annotation(minimal(bodyValue="plain")).body == Body("plain")


def test_a_body_purpose_equal_to_the_motivation_is_accepted():
    posted = jsonld.parse_annotation(
        minimal(motivation="questioning", body={"value": "?", "purpose": "oa:questioning"})
    )
    assert posted.motivation == "questioning" and posted.body == Body("?")


def test_context_may_be_a_list_and_motivation_may_be_prefixed():
    posted = jsonld.parse_annotation(minimal(**{"@context": [ANNO, {"x": "urn:x"}], "motivation": ["oa:questioning"]}))
    assert posted.motivation == "questioning" and posted.motivation_given


def test_a_target_iri_is_a_reply():
    posted = jsonld.parse_annotation(minimal(target="https://palimpsest.test/annotations/7"))
    assert posted.target == jsonld.ReplyTarget("https://palimpsest.test/annotations/7")
    assert posted.motivation == "replying"
    by_source = jsonld.parse_annotation(minimal(target={"source": "https://palimpsest.test/annotations/7"}))
    assert by_source.target == posted.target


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("a string", ""),
        (minimal(**{"@context": "http://schema.org/"}), "@context"),
        (minimal(type="Note"), "type"),
        (minimal(motivation="shouting"), "motivation"),
        (minimal(motivation=["commenting", "tagging"]), "motivation"),
        (minimal(target="https://palimpsest.test/annotations/7", motivation="commenting"), "motivation"),
        (minimal(motivation="replying"), "target"),
        (minimal(body={"value": "a"}, bodyValue="b"), "body"),
        (minimal(bodyValue=3), "bodyValue"),
        (minimal(body="https://example.org/body"), "body"),
        (minimal(body={"type": "SpecificResource"}), "body.type"),
        (minimal(body={"type": "TextualBody"}), "body.value"),
        (minimal(body={"value": "a", "format": "text/html"}), "body.format"),
        (minimal(body={"value": "a", "language": "english please"}), "body.language"),
        (minimal(body=[{"value": "a", "purpose": "tagging"}]), "body.purpose"),
        (minimal(body={"value": "a", "purpose": ["commenting", "tagging"]}), "body.purpose"),
        (minimal(target=None), "target"),
        (minimal(target=[{"source": "a", "selector": []}, {"source": "b", "selector": []}]), "target"),
        (minimal(target=7), "target"),
        (minimal(target={"selector": {"type": "TextQuoteSelector", "exact": "x"}}), "target.source"),
        (selecting({"type": "CssSelector"}), "target.selector"),
        (selecting({"type": "TextPositionSelector", "start": 5}), "target.selector"),
        (selecting({"type": "TextPositionSelector", "start": -1, "end": 2}), "target.selector"),
        (selecting({"type": "TextPositionSelector", "start": True, "end": 2}), "target.selector"),
        (minimal(**{"pal:visibility": "everyone"}), "pal:visibility"),
        (minimal(**{"pal:status": "done"}), "pal:status"),
        (minimal(canonical=42), "canonical"),
    ],
)  # fmt: skip
def test_each_wrong_field_is_named(data, field):
    with pytest.raises(AnnotationError) as error:
        jsonld.parse_annotation(data)
    assert error.value.field == field and str(error.value)


def test_dates_need_a_time_zone():
    assert jsonld.parse_iso("2024-05-01T10:00:00.5Z", "created") == datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    for bad in ("2024-05-01T10:00:00", "yesterday", 5):
        with pytest.raises(AnnotationError):
            jsonld.parse_iso(bad, "created")
    moment = datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert jsonld.iso(moment) == "2024-05-01T10:00:00.123456Z" and jsonld.parse_iso(jsonld.iso(moment), "x") == moment


# --------------------------------------------------------------------------- writing (database for the rows)


@pytest.fixture
def seed(db):
    return import_seed()


@pytest.fixture
def editor(db):
    return make_user("ed+it@or")


def assert_w3c_annotation(data: dict, *, embedded: bool = False) -> None:
    """The MUSTs of the W3C model suite that apply to what we write."""
    if not embedded:
        assert data["@context"] == ANNO or ANNO in data["@context"]
    assert isinstance(data["id"], str) and re.match(r"^https?://", data["id"])
    assert data["type"] == "Annotation" and "target" in data
    assert not ("body" in data and "bodyValue" in data)
    for key in ("created", "modified"):
        assert RFC3339.match(data[key])
    if isinstance(data["target"], dict):
        assert re.match(r"^https?://", data["target"]["source"])
        for selector in data["target"]["selector"]:
            assert selector["type"] in ("TextQuoteSelector", "TextPositionSelector")
            if selector["type"] == "TextQuoteSelector":
                assert isinstance(selector["exact"], str) and selector["exact"]
            else:
                assert isinstance(selector["start"], int) and selector["end"] >= selector["start"] >= 0
    if "body" in data:
        assert data["body"]["type"] == "TextualBody" and isinstance(data["body"]["value"], str)
    if "creator" in data:
        assert data["creator"]["type"] == "Person" and ":" in data["creator"]["id"]
    for key in data:  # our own terms are namespaced: they can never clash with a W3C term
        assert key.startswith(("@", "pal:")) or key in {
            "id", "type", "canonical", "motivation", "body", "target", "creator", "created", "modified"
        }  # fmt: skip


def test_an_annotation_is_written_as_a_w3c_annotation(seed, editor):
    annotation = annotation_create(
        article=seed,
        creator=editor,
        motivation="questioning",
        selectors=Selectors(exact="Belchett"),
        body=Body("Bachelet?", language="en"),
    )
    data = jsonld.annotation_to_jsonld(annotation, LINKS)
    assert_w3c_annotation(data)
    assert data["@context"] == [ANNO, {"pal": jsonld.PALIMPSEST_NS}]
    assert data["id"] == f"https://palimpsest.test/articles/{seed.slug}/annotations/{annotation.pk}"
    assert data["motivation"] == "questioning"
    assert data["body"] == {
        "type": "TextualBody",
        "value": "Bachelet?",
        "format": "text/plain",
        "purpose": "questioning",
        "language": "en",
    }
    assert data["target"]["source"] == f"https://palimpsest.test/articles/{seed.slug}/"
    assert data["target"]["selector"] == annotation.selectors.to_jsonld()
    assert data["creator"] == {"id": "acct:ed%2Bit%40or@palimpsest.test", "type": "Person", "nickname": "ed+it@or"}
    assert "pal:version" not in data
    assert jsonld.annotation_to_jsonld(annotation, LINKS, export=True)["pal:version"] == 1
    assert "@context" not in jsonld.annotation_to_jsonld(annotation, LINKS, context=False)


def test_a_highlight_without_text_has_no_body_and_a_reply_targets_its_parent(seed, editor):
    highlight = annotation_create(
        article=seed, creator=editor, motivation="highlighting", selectors=Selectors(exact="Pompeo")
    )
    reply = annotation_create(article=seed, creator=editor, motivation="replying", parent=highlight, body=Body("ok"))
    assert "body" not in jsonld.annotation_to_jsonld(highlight, LINKS)
    data = jsonld.annotation_to_jsonld(reply, LINKS)
    assert_w3c_annotation(data)
    assert data["target"] == jsonld.annotation_to_jsonld(highlight, LINKS)["id"]
    assert data["motivation"] == "replying"


def test_our_iris_are_read_back(seed, editor):
    annotation = annotation_create(article=seed, creator=editor, motivation="commenting", selectors=Selectors("Pompeo"))
    assert LINKS.annotation_pk(LINKS.annotation(annotation)) == annotation.pk
    assert LINKS.annotation_pk(f"/annotations/{annotation.pk}") == annotation.pk
    assert LINKS.annotation_pk(f"https://elsewhere.test/annotations/{annotation.pk}") is None
    assert LINKS.annotation_pk(f"https://elsewhere.test/annotations/{annotation.pk}", any_host=True) == annotation.pk
    assert LINKS.article_slug(LINKS.article(seed)) == seed.slug
    assert LINKS.article_slug("https://palimpsest.test/nowhere/") is None
    assert LINKS.annotation_pk(LINKS.article(seed)) is None


def test_a_replacement_keeps_what_identifies_the_annotation(seed, editor):
    annotation = annotation_create(article=seed, creator=editor, motivation="commenting", selectors=Selectors("Pompeo"))
    data = jsonld.annotation_to_jsonld(annotation, LINKS)
    change = jsonld.parse_replacement(data | {"pal:status": "resolved"}, annotation, LINKS)
    assert change == jsonld.Replacement(body=Body(), visibility="editors", status="resolved", motivation="commenting")
    only_quote = data | {"target": data["target"] | {"selector": [{"type": "TextQuoteSelector", "exact": "Pompeo"}]}}
    assert jsonld.parse_replacement(only_quote, annotation, LINKS).status == "open"
    for change, field in [
        ({"canonical": "urn:uuid:x"}, "canonical"),
        ({"id": "https://palimpsest.test/annotations/0"}, "id"),
        ({"target": data["target"] | {"source": "https://palimpsest.test/articles/other/"}}, "target"),
    ]:
        with pytest.raises(AnnotationError) as error:
            jsonld.parse_replacement(data | change, annotation, LINKS)
        assert error.value.field == field
