"""The Web Annotation Protocol: containers, annotations, writes with ETags, errors, privacy and query bounds.

The MUST rules of the W3C protocol and model test suites that matter to us are asserted here too, so a
regression shows in the project's own tests before anyone runs the W3C checkers.
"""

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from annotations.anchoring import Selectors
from annotations.models import Annotation
from annotations.services.annotating import Body, annotation_create
from annotations.views import api
from tests.factories import import_seed, make_article, make_member, make_note, make_user

pytestmark = pytest.mark.django_db

ANNO = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{ANNO}"'
LDP = "http://www.w3.org/ns/ldp#"
PREFER = 'return=representation;include="{}"'


@pytest.fixture
def seed():
    return import_seed()


@pytest.fixture
def editor():
    return make_member("editor", "Editor")


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def note(article, quote, user, *, visibility="public", motivation="commenting", body="A note", parent=None):
    if parent is not None:
        return annotation_create(
            article=article, creator=user, motivation="replying", parent=parent, body=Body(body), visibility=visibility
        )
    return make_note(article, quote, user, body=body, visibility=visibility, motivation=motivation)


def container_url(article) -> str:
    return reverse("annotations:container", kwargs={"slug": article.slug})


def iri(article, annotation) -> str:
    return f"http://testserver/articles/{article.slug}/annotations/{annotation.pk}"


def posted(article, quote="calm the winds", **extra) -> dict:
    text = article.current_revision.text
    start = text.index(quote)
    return {
        "@context": ANNO,
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": "Literal idiom?", "format": "text/plain", "language": "en"},
        "target": {
            "source": f"http://testserver{article.get_absolute_url()}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote},
                {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
            ],
        },
    } | extra


def post(client, article, data, content_type="application/ld+json", **headers):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(container_url(article), body, content_type=content_type, headers=headers)


def put(client, url, data, **headers):
    return client.put(url, json.dumps(data), content_type="application/ld+json", headers=headers)


def links_of(response) -> set[tuple[str, str]]:
    found = set()
    for part in response["Link"].split(","):
        target, _, params = part.strip().partition(";")
        found.add((target.strip("<> "), params.strip().removeprefix("rel=").strip('"')))
    return found


def allow_of(response) -> set[str]:
    return {method.strip() for method in response["Allow"].split(",")}


def vary_of(response) -> set[str]:
    return {name.strip().lower() for name in response["Vary"].split(",")}


# --------------------------------------------------------------------------- reading one annotation


def test_an_annotation_is_served_as_w3c_json_ld_with_the_protocol_headers(client, seed, editor):
    annotation = note(seed, "Belchett", editor, body="Bachelet?")
    response = client.get(iri(seed, annotation))
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["ETag"] == annotation.etag == f'"{annotation.pk}-1"'
    assert (f"{LDP}Resource", "type") in links_of(response)
    assert {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"} <= allow_of(response)
    assert "accept" in vary_of(response)
    data = response.json()
    assert ANNO in data["@context"] and data["type"] == "Annotation"
    assert data["id"] == iri(seed, annotation) == response["Content-Location"]
    assert data["canonical"] == annotation.canonical and data["canonical"].startswith("urn:uuid:")
    assert data["motivation"] == "commenting"
    assert data["body"] == {
        "type": "TextualBody",
        "value": "Bachelet?",
        "format": "text/plain",
        "purpose": "commenting",
    }
    target = data["target"]
    assert target["source"] == f"http://testserver{seed.get_absolute_url()}"
    quote, position = target["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == "Belchett" and quote["prefix"]
    assert position == {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end}
    assert target["state"]["type"] == "TimeState" and target["state"]["sourceDate"].endswith("Z")
    assert data["creator"] == {"id": "acct:editor@testserver", "type": "Person", "nickname": "editor"}
    assert data["created"].endswith("Z") and data["modified"].endswith("Z")
    assert data["pal:visibility"] == "public" and data["pal:status"] == "open" and data["pal:revision"] == 1
    assert data["pal:anchorState"] == "anchored"


def test_the_short_address_serves_the_same_annotation(client, seed, editor):
    annotation = note(seed, "Belchett", editor)
    response = client.get(annotation.get_absolute_url())
    assert annotation.get_absolute_url() == f"/annotations/{annotation.pk}"
    assert response.status_code == 200 and response.json()["id"] == iri(seed, annotation)
    assert response["Content-Location"] == iri(seed, annotation)
    wrong_article = make_article("Another story")
    assert client.get(f"/articles/{wrong_article.slug}/annotations/{annotation.pk}").status_code == 404


def test_head_and_options_answer_with_the_same_headers(client, seed, editor):
    annotation = note(seed, "Belchett", editor)
    head = client.head(iri(seed, annotation))
    assert head.status_code == 200 and head["ETag"] == annotation.etag and not head.content
    assert (f"{LDP}Resource", "type") in links_of(head) and "accept" in vary_of(head)
    options = client.options(iri(seed, annotation))
    assert options.status_code == 200 and "PUT" in allow_of(options)


def test_a_reply_targets_its_parent_iri(client, seed, editor):
    parent = note(seed, "Belchett", editor)
    reply = note(seed, "", make_member("other", "Editor"), parent=parent, body="It is Bachelet.")
    data = client.get(iri(seed, reply)).json()
    assert data["motivation"] == "replying" and data["target"] == iri(seed, parent)
    assert "pal:anchorState" not in data


def test_an_unchanged_annotation_answers_304_to_if_none_match(client, seed, editor):
    annotation = note(seed, "Belchett", editor)
    response = client.get(iri(seed, annotation), headers={"If-None-Match": annotation.etag})
    assert response.status_code == 304 and response["ETag"] == annotation.etag


def test_readers_never_see_private_or_editor_annotations_nor_drafts(client, seed, editor):
    editors_only = note(seed, "Belchett", editor, visibility="editors")
    private = note(seed, "Pompeo", editor, visibility="private")
    draft = make_article("Draft story", publish=False)
    on_draft = note(draft, "Draft story", editor)
    for annotation, article in [(editors_only, seed), (private, seed), (on_draft, draft)]:
        response = client.get(iri(article, annotation))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json" and response.json()["error"]
    assert client.get(container_url(draft)).status_code == 404
    other_editor = Client()
    other_editor.force_login(make_member("colleague", "Editor"))
    assert other_editor.get(iri(seed, editors_only)).status_code == 200
    assert other_editor.get(iri(seed, private)).status_code == 404


# --------------------------------------------------------------------------- the container


def test_the_container_is_a_paged_ldp_basic_container_and_annotation_collection(client, seed, editor):
    notes = [note(seed, quote, editor) for quote in ("Belchett", "Pompeo", "calm the winds")]
    response = client.get(container_url(seed))
    assert response.status_code == 200 and response["Content-Type"] == MEDIA_TYPE
    assert response["ETag"].startswith('"') and not response["ETag"].startswith("W/")
    assert {(f"{LDP}BasicContainer", "type"), ("http://www.w3.org/TR/annotation-protocol/", f"{LDP}constrainedBy")} <= (
        links_of(response)
    )
    assert {"GET", "HEAD", "OPTIONS", "POST"} <= allow_of(response)
    assert response["Accept-Post"] == MEDIA_TYPE
    assert {"accept", "prefer"} <= vary_of(response)
    data = response.json()
    assert data["@context"][:2] == [ANNO, "http://www.w3.org/ns/ldp.jsonld"]
    assert data["id"] == f"http://testserver{container_url(seed)}" == response["Content-Location"]
    assert data["type"] == ["BasicContainer", "AnnotationCollection"]
    assert data["total"] == 3 and data["label"] and data["modified"].endswith("Z")
    first = data["first"]
    assert first["type"] == "AnnotationPage" and first["id"] == f"{data['id']}?page=0"
    assert first["startIndex"] == 0 and first["partOf"]["id"] == data["id"] and first["partOf"]["total"] == 3
    assert [item["id"] for item in first["items"]] == [iri(seed, n) for n in notes]
    assert data["last"] == first["id"] and "next" not in first and "prev" not in first


def test_pages_link_first_next_prev_last_and_part_of(client, seed, editor, monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    notes = [note(seed, quote, editor) for quote in ("Belchett", "Pompeo", "calm the winds", "Lukashenko", "Kremlin")]
    data = client.get(container_url(seed)).json()
    base = data["id"]
    assert data["last"] == f"{base}?page=2" and data["first"]["next"] == f"{base}?page=1"
    seen, url = [item["id"] for item in data["first"]["items"]], data["first"]["next"]
    while url:
        page = client.get(urlsplit(url).path + "?" + urlsplit(url).query).json()
        assert page["type"] == "AnnotationPage" and page["partOf"]["id"] == base and page["partOf"]["total"] == 5
        assert page["startIndex"] == len(seen) and page["prev"]
        seen += [item["id"] for item in page["items"]]
        url = page.get("next")
    assert seen == [iri(seed, n) for n in notes]
    assert client.get(container_url(seed) + "?page=3").status_code == 404
    assert client.get(container_url(seed) + "?page=x").status_code == 404


def test_prefer_minimal_iris_and_descriptions(client, seed, editor):
    annotation = note(seed, "Belchett", editor)
    minimal = client.get(container_url(seed), headers={"Prefer": PREFER.format(f"{LDP}PreferMinimalContainer")})
    data = minimal.json()
    assert isinstance(data["first"], str) and data["last"] and "items" not in data and "contains" not in data
    iris = client.get(
        container_url(seed), headers={"Prefer": PREFER.format("http://www.w3.org/ns/oa#PreferContainedIRIs")}
    )
    data = iris.json()
    assert data["id"].endswith("?iris=1") and iris["Content-Location"] == data["id"]
    assert data["first"]["items"] == [iri(seed, annotation)] and data["first"]["id"].endswith("?iris=1&page=0")
    described = client.get(
        container_url(seed), headers={"Prefer": PREFER.format("http://www.w3.org/ns/oa#PreferContainedDescriptions")}
    ).json()
    assert described["id"] != data["id"] and described["first"]["items"][0]["target"]
    assert "Prefer" not in iris


def test_anonymous_readers_see_only_public_annotations_of_published_articles(client, seed, editor):
    public = note(seed, "Belchett", editor)
    note(seed, "Pompeo", editor, visibility="editors")
    note(seed, "Kremlin", editor, visibility="private")
    note(make_article("Draft", publish=False), "Draft", editor)
    for url in (container_url(seed), reverse("annotations:collection")):
        data = client.get(url).json()
        assert data["total"] == 1 and [item["id"] for item in data["first"]["items"]] == [iri(seed, public)]
    editors_view = Client()
    editors_view.force_login(make_member("colleague", "Editor"))
    assert editors_view.get(container_url(seed)).json()["total"] == 2
    assert editors_view.get(reverse("annotations:collection")).json()["total"] == 3


def test_an_empty_container_has_no_first_or_last(client, seed):
    data = client.get(container_url(seed)).json()
    assert data["total"] == 0 and "first" not in data and "last" not in data


def test_the_container_etag_changes_with_its_contents(client, seed, editor):
    before = client.get(container_url(seed))["ETag"]
    assert client.get(container_url(seed))["ETag"] == before
    note(seed, "Belchett", editor)
    assert client.get(container_url(seed))["ETag"] != before


def test_the_container_head_and_options_carry_the_protocol_headers(client, seed):
    for response in (client.head(container_url(seed)), client.options(container_url(seed))):
        assert response.status_code == 200
        assert (f"{LDP}BasicContainer", "type") in links_of(response)
        assert "POST" in allow_of(response) and response["Accept-Post"] == MEDIA_TYPE
    assert client.head(container_url(seed))["ETag"]


def test_the_discovery_route_exists_for_the_article_pages(seed):
    url = reverse("annotations:container", kwargs={"slug": seed.slug})
    assert url == f"/articles/{seed.slug}/annotations/" and url.endswith("/")


# --------------------------------------------------------------------------- creating


def test_post_creates_with_201_location_etag_and_the_annotation(editor_client, seed, editor):
    response = post(editor_client, seed, posted(seed, canonical="urn:uuid:0b7a1e9c-client"))
    assert response.status_code == 201
    annotation = Annotation.objects.get()
    assert response["Location"] == iri(seed, annotation) == response.json()["id"]
    assert response["Location"].startswith(f"http://testserver{container_url(seed)}")
    assert response["ETag"] == annotation.etag and response["Content-Type"] == MEDIA_TYPE
    data = response.json()
    assert data["canonical"] == "urn:uuid:0b7a1e9c-client" == annotation.canonical
    assert data["body"]["value"] == "Literal idiom?" and data["body"]["language"] == "en"
    assert annotation.creator == editor and annotation.visibility == "editors" and annotation.exact == "calm the winds"


def test_post_keeps_its_own_iri_and_a_chosen_visibility(editor_client, seed):
    response = post(editor_client, seed, posted(seed, id="http://example.org/anno/1", **{"pal:visibility": "public"}))
    assert response.status_code == 201 and response.json()["id"].startswith("http://testserver/articles/")
    assert Annotation.objects.get().visibility == "public"


def test_post_a_reply_to_an_annotation(editor_client, seed, editor):
    parent = note(seed, "Belchett", editor)
    reply = {"@context": ANNO, "type": "Annotation", "bodyValue": "Bachelet.", "target": iri(seed, parent)}
    response = post(editor_client, seed, reply)
    assert response.status_code == 201
    data = response.json()
    assert data["motivation"] == "replying" and data["target"] == iri(seed, parent)
    assert Annotation.objects.get(pk=urlsplit(data["id"]).path.rsplit("/", 1)[1]).parent == parent


def test_anonymous_writes_are_refused_with_json_401(client, seed, editor):
    annotation = note(seed, "Belchett", editor)
    responses = [
        post(client, seed, posted(seed)),
        put(client, iri(seed, annotation), posted(seed), **{"If-Match": annotation.etag}),
        client.delete(iri(seed, annotation)),
    ]
    for response in responses:
        assert response.status_code == 401 and response["Content-Type"] == "application/json"
        assert response.json()["error"] and response["WWW-Authenticate"]
    assert Annotation.objects.count() == 1


def test_users_who_are_not_editors_cannot_write(seed):
    reader = Client()
    reader.force_login(make_user("reader"))
    response = post(reader, seed, posted(seed))
    assert response.status_code == 403 and response.json()["error"] == "only editors may write annotations"
    assert not Annotation.objects.exists()


def test_csrf_is_enforced_and_answered_in_json(seed, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    refused = post(client, seed, posted(seed))
    assert refused.status_code == 403 and refused.json()["error"].startswith("CSRF check failed")
    assert not Annotation.objects.exists()
    client.get(container_url(seed))  # any page: sets nothing, so fetch a token as the protocol checker does
    token = "a" * 32
    client.cookies["csrftoken"] = token
    accepted = post(client, seed, posted(seed), **{"X-CSRFToken": token})
    assert accepted.status_code == 201


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        ("{not json", "application/ld+json", 400, ""),
        ("[]", "application/ld+json", 400, ""),
        ('{"x": NaN}', "application/ld+json", 400, ""),
        (b"\xff\xfe", "application/ld+json", 400, ""),
        ("{}", "text/plain", 415, "Content-Type"),
        ("{}", "application/x-www-form-urlencoded", 415, "Content-Type"),
    ],
)
def test_malformed_requests_are_refused(editor_client, seed, body, content_type, status, field):
    response = post(editor_client, seed, body, content_type=content_type)
    assert response.status_code == status and response.json()["field"] == field and response.json()["error"]
    assert not Annotation.objects.exists()


def invalid_inputs(article):
    text = article.current_revision.text
    good = posted(article)
    at = text.index("Belchett")
    reply = {k: v for k, v in good.items() if k != "motivation"} | {"target": "http://testserver/annotations/999999"}

    def selecting(*selectors):
        return good | {"target": good["target"] | {"selector": list(selectors)}}

    return [
        ({k: v for k, v in good.items() if k != "@context"}, "@context"),
        (good | {"type": "Note"}, "type"),
        (good | {"motivation": "shouting"}, "motivation"),
        (good | {"motivation": "replying"}, "target"),
        (good | {"bodyValue": "x"}, "body"),
        (good | {"body": {"type": "TextualBody", "value": "x", "format": "text/html"}}, "body.format"),
        (good | {"body": {"type": "TextualBody", "value": "x", "language": "not a tag!"}}, "body.language"),
        (good | {"body": {"type": "Image", "id": "http://example.org/a.png"}}, "body.type"),
        (good | {"body": [{"value": "a"}, {"value": "b"}]}, "body"),
        (good | {"body": {"value": "a", "purpose": "tagging"}}, "body.purpose"),
        (good | {"body": {"value": "x" * 20_001}}, "body"),
        ({k: v for k, v in good.items() if k != "target"}, "target"),
        (selecting({"type": "TextQuoteSelector"}), "target.selector"),
        (good | {"target": good["target"] | {"source": "http://testserver/articles/another/"}}, "target.source"),
        (selecting({"type": "TextQuoteSelector", "exact": "no such words"}), "target.selector"),
        (selecting({"type": "TextPositionSelector", "start": 0, "end": len(text) + 5}), "target.selector"),
        (selecting({"type": "TextPositionSelector", "start": 9, "end": 3}), "target.selector"),
        (
            selecting(
                {"type": "TextQuoteSelector", "exact": "Belchett"},
                {"type": "TextPositionSelector", "start": at + 1, "end": at + 9},
            ),
            "target.selector",
        ),
        (good | {"target": "http://testserver/annotations/999999"}, "motivation"),
        (reply, "target"),
        (good | {"pal:visibility": "everyone"}, "pal:visibility"),
        (good | {"pal:status": "resolved"}, "pal:status"),
        (good | {"canonical": "not an iri"}, "canonical"),
    ]


def test_invalid_annotations_get_400_naming_the_field_and_store_nothing(editor_client, seed):
    for data, field in invalid_inputs(seed):
        response = post(editor_client, seed, data)
        assert (response.status_code, response.json()["field"]) == (400, field), (data, response.json())
    assert not Annotation.objects.exists()


def test_a_canonical_iri_already_taken_is_refused(editor_client, seed):
    assert post(editor_client, seed, posted(seed, canonical="urn:uuid:same")).status_code == 201
    again = post(editor_client, seed, posted(seed, canonical="urn:uuid:same"))
    assert again.status_code == 400 and again.json()["field"] == "canonical"
    assert Annotation.objects.count() == 1


def test_request_bodies_over_64_kb_are_refused(editor_client, seed):
    data = posted(seed, body={"type": "TextualBody", "value": "x" * 70_000})
    response = post(editor_client, seed, data)
    assert response.status_code == 413 and response.json()["error"]
    assert not Annotation.objects.exists()


def test_posting_to_the_all_annotations_collection_is_not_allowed(editor_client, seed):
    response = editor_client.post(reverse("annotations:collection"), "{}", content_type="application/ld+json")
    assert response.status_code == 405 and "POST" not in allow_of(response)


# --------------------------------------------------------------------------- replacing and deleting


def created(client, article, **extra):
    response = post(client, article, posted(article, **extra))
    assert response.status_code == 201
    return response.json(), response["ETag"]


def test_put_with_the_current_etag_replaces_the_body_visibility_and_status(editor_client, seed):
    data, etag = created(editor_client, seed)
    changed = data | {
        "body": {"type": "TextualBody", "value": "Idiom: calm the situation.", "format": "text/plain"},
        "pal:visibility": "public",
        "pal:status": "resolved",
    }
    response = put(editor_client, data["id"], changed, **{"If-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag
    assert response.json()["body"]["value"] == "Idiom: calm the situation."
    again = editor_client.get(data["id"]).json()
    assert again["pal:visibility"] == "public" and again["pal:status"] == "resolved"
    assert again["canonical"] == data["canonical"] and again["created"] == data["created"]


def test_put_with_a_stale_etag_is_412_and_changes_nothing(editor_client, seed):
    data, etag = created(editor_client, seed)
    first = data | {"body": {"type": "TextualBody", "value": "first"}}
    assert put(editor_client, data["id"], first, **{"If-Match": etag}).status_code == 200
    stale = put(editor_client, data["id"], data | {"bodyValue": None, "body": {"value": "lost?"}}, **{"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["field"] == "If-Match"
    assert Annotation.objects.get().body_value == "first"
    weak = put(editor_client, data["id"], first, **{"If-Match": f"W/{editor_client.get(data['id'])['ETag']}"})
    assert weak.status_code == 412


def test_put_without_if_match_is_428(editor_client, seed):
    data, _ = created(editor_client, seed)
    response = put(editor_client, data["id"], data | {"body": {"value": "blind"}})
    assert response.status_code == 428 and Annotation.objects.get().body_value == "Literal idiom?"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"canonical": "urn:uuid:another"}, "canonical"),
        ({"target": "http://other.example/"}, "motivation"),
        ({"motivation": "questioning", "body": {"value": "?", "purpose": "questioning"}}, "motivation"),
        ({"id": "http://testserver/annotations/999999"}, "id"),
    ],
)
def test_put_cannot_change_what_identifies_an_annotation(editor_client, seed, change, field):
    data, etag = created(editor_client, seed)
    response = put(editor_client, data["id"], data | change, **{"If-Match": etag})
    assert (response.status_code, response.json()["field"]) == (400, field)
    assert editor_client.get(data["id"])["ETag"] == etag


def test_put_to_a_moved_target_is_refused(editor_client, seed):
    data, etag = created(editor_client, seed)
    moved = data | {"target": data["target"] | {"selector": [{"type": "TextQuoteSelector", "exact": "Belchett"}]}}
    response = put(editor_client, data["id"], moved, **{"If-Match": etag})
    assert (response.status_code, response.json()["field"]) == (400, "target")


def test_only_the_author_may_replace_or_delete(editor_client, seed):
    data, etag = created(editor_client, seed)
    colleague = Client()
    colleague.force_login(make_member("colleague", "Editor"))
    assert put(colleague, data["id"], data, **{"If-Match": etag}).status_code == 403
    assert colleague.delete(data["id"]).status_code == 403
    assert Annotation.objects.count() == 1


def test_delete_is_204_then_404_and_gone_from_the_container(editor_client, seed):
    data, etag = created(editor_client, seed)
    kept, kept_etag = created(editor_client, seed, canonical="urn:uuid:kept")
    assert editor_client.delete(kept["id"], headers={"If-Match": '"nope"'}).status_code == 412
    response = editor_client.delete(data["id"], headers={"If-Match": etag})
    assert response.status_code == 204 and not response.content
    assert editor_client.get(data["id"]).status_code == 404
    listed = [item["id"] for item in editor_client.get(container_url(seed)).json()["first"]["items"]]
    assert listed == [kept["id"]]
    assert editor_client.delete(kept["id"]).status_code == 204  # If-Match is optional on DELETE


def test_the_full_protocol_round_trip(editor_client, seed):
    """POST, GET, PUT with the current ETag, PUT with the old one, DELETE."""
    data, etag = created(editor_client, seed)
    fetched = editor_client.get(data["id"])
    assert fetched.json() == data and fetched["ETag"] == etag
    updated = put(editor_client, data["id"], data | {"bodyValue": "Changed"} | {"body": None}, **{"If-Match": etag})
    assert updated.status_code == 200 and updated.json()["body"]["value"] == "Changed"
    assert put(editor_client, data["id"], data, **{"If-Match": etag}).status_code == 412
    assert editor_client.delete(data["id"], headers={"If-Match": updated["ETag"]}).status_code == 204
    assert not Annotation.objects.exists()


# --------------------------------------------------------------------------- query bounds


def many_notes(article, user, count):
    text = article.current_revision.text
    words = [(m, m + 5) for m in range(0, len(text) - 5, 7) if text[m : m + 5].strip()][:count]
    for start, end in words:
        annotation_create(
            article=article,
            creator=user,
            motivation="commenting",
            selectors=Selectors(exact=None, start=start, end=end),
            body=Body("n"),
            visibility="public",
        )
    return len(words)


@pytest.mark.parametrize("path", ["container", "collection", "page"])
def test_listing_queries_stay_flat_with_500_annotations(client, seed, editor, django_assert_max_num_queries, path):
    url = {"container": container_url(seed), "collection": "/annotations/", "page": container_url(seed) + "?page=1"}
    many_notes(seed, editor, 120)
    with django_assert_max_num_queries(4) as few:
        assert client.get(url[path]).status_code == 200
    assert many_notes(seed, make_member("second", "Editor"), 500) >= 380
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(url[path])
    assert response.status_code == 200 and len(many) == len(few)


def test_reading_and_writing_one_annotation_takes_few_queries(
    editor_client, seed, editor, django_assert_max_num_queries
):
    data, etag = created(editor_client, seed)
    with django_assert_max_num_queries(6):
        assert editor_client.get(data["id"]).status_code == 200
    # incl. the audit entry: chain lock on PostgreSQL, head lookup, insert, savepoints
    with django_assert_max_num_queries(20):
        assert put(editor_client, data["id"], data, **{"If-Match": etag}).status_code == 200
