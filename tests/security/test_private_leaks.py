"""Private and editors-only annotations, and drafts, reach no one they are not for.

The world (tests/security/conftest.py) has an editors-only note and a private one (the editor's),
with bodies found nowhere else, on quotes readers see in the text anyway; a draft with a public note.
Readers must find no trace of them on any page, in any JSON, in search or through the page cache;
another editor must not find the private one. There is no feed or sitemap (a test below fails when
one appears, so that it is added here). `export_annotations` is an operator's backup, run on the
server: it writes every annotation, private ones included, each with its `pal:visibility` (tested
below, so that nobody mistakes it for something to publish).
"""

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from annotations import search
from annotations.anchoring import Selectors
from annotations.search_query import parse_query
from annotations.services.annotating import Body, annotation_create, annotation_delete, annotation_update
from annotations.services.entities import mention_create
from annotations.services.links import article_link_create
from archive.services import article_publish, article_unpublish
from tests.security.conftest import (
    DRAFT_HEADLINE,
    EDITORS_BODY,
    EDITORS_QUOTE,
    PRIVATE_BODY,
    PRIVATE_QUOTE,
    PUBLIC_BODY,
)
from tests.security.test_permission_matrix import routes

pytestmark = pytest.mark.django_db

PREFER = 'return=representation; include="{}"'
PREFERS = [
    "",
    PREFER.format("http://www.w3.org/ns/ldp#PreferMinimalContainer"),
    PREFER.format("http://www.w3.org/ns/oa#PreferContainedIRIs"),
    PREFER.format("http://www.w3.org/ns/oa#PreferContainedDescriptions"),
]
THREAD_REPLY = "Ytterbium-reply-in-an-editors-thread"
PRIVATE_REPLY = "Wolfram-reply-to-a-private-note"
DRAFT_NOTE = "A public note on a draft"
SITEMAP_SECTIONS = ("/sitemap-articles.xml", "/sitemap-entities.xml")


@pytest.fixture
def leaks(world):
    """The world, plus replies inside the non-public threads (one asked to be public) and the search index."""
    reply(world, world.editors_note, "reviewer", THREAD_REPLY, "public")
    reply(world, world.private_note, "editor", PRIVATE_REPLY, "private")
    index(world)
    return world


def reply(world, parent, role: str, body: str, visibility: str):
    return annotation_create(
        article=parent.article,
        creator=world.user(role),
        motivation="replying",
        parent=parent,
        body=Body(body),
        visibility=visibility,
    )


def index(world) -> None:
    """What the on-commit hooks would do (the test's transaction never commits)."""
    search.search_index_update(article_ids=[world.seed.pk, world.draft.pk])


def client_for(world, role: str | None) -> Client:
    client = Client()
    if role:
        client.force_login(world.other if role == "other" else world.user(role))
    return client


SECRETS = (EDITORS_BODY, PRIVATE_BODY, THREAD_REPLY, PRIVATE_REPLY)


def traces(text: str, world, *, hidden=SECRETS, pks=()) -> list[str]:
    """The secrets (bodies, annotation IRIs) found in `text`."""
    found = [secret for secret in hidden if secret in text]
    found += [f"annotation {pk}" for pk in pks if f"/annotations/{pk}" in text]
    return found


def non_public_pks(world) -> list[int]:
    return [world.editors_note.pk, world.private_note.pk, *world.editors_note.replies.values_list("pk", flat=True)]


def test_the_public_article_page_shows_public_notes_only_before_and_after_an_editor_viewed_it(leaks):
    world, anonymous = leaks, Client()
    url = world.seed.get_absolute_url()
    first = anonymous.get(url).content.decode()
    as_editor = client_for(world, "editor").get(url).content.decode()
    cached = anonymous.get(url)
    assert cached["ETag"]  # served again under the page cache's ETag
    for html in (first, as_editor, cached.content.decode()):
        assert PUBLIC_BODY in html and traces(html, world) == []
        assert f">{EDITORS_QUOTE}</mark>" not in html and f">{PRIVATE_QUOTE}</mark>" not in html
        assert html.count('class="note-mark"') == 1
    revalidated = anonymous.get(url, headers={"If-None-Match": cached["ETag"]})
    assert revalidated.status_code == 304


def test_a_note_made_private_leaves_the_cached_page_and_the_search_at_once(leaks, django_capture_on_commit_callbacks):
    world, anonymous = leaks, Client()
    url = world.seed.get_absolute_url()
    public = world.public_note
    assert PUBLIC_BODY in anonymous.get(url).content.decode()  # cached now
    assert found(world, "riots Public remark")
    with django_capture_on_commit_callbacks(execute=True):
        annotation_update(
            annotation=public, user=world.user("editor"), expected_version=public.version, visibility="private"
        )
    assert PUBLIC_BODY not in anonymous.get(url).content.decode()
    assert not found(world, "riots Public remark"), "the body of a note made private is still searchable"


def test_a_deleted_public_note_leaves_the_search(leaks, django_capture_on_commit_callbacks):
    world = leaks
    assert found(world, "riots Public remark")
    with django_capture_on_commit_callbacks(execute=True):
        annotation_delete(annotation=world.public_note, user=world.user("editor"))
    assert not found(world, "riots Public remark")


def found(world, words: str, user=None) -> bool:
    """Whether searching `words` (as `user`, a reader by default) finds the seed article."""
    ranked = search.search_articles(parse_query(words), user=user).ranked
    return world.seed.pk in [pk for pk, _ in ranked]


def test_search_never_finds_articles_by_words_of_notes_readers_cannot_see(leaks):
    world, anonymous = leaks, Client()
    for secret in SECRETS:
        assert not found(world, secret), secret
        html = anonymous.get(reverse("annotations:search"), {"q": secret}).content.decode()
        assert world.seed.headline not in html and traces(html.replace(secret, ""), world) == []
    assert found(world, "Public remark")  # public notes are searchable


def test_the_collection_and_the_container_list_what_each_user_may_read_on_every_page_and_prefer(leaks, settings):
    world = leaks
    expectations = {
        None: (SECRETS, non_public_pks(world)),
        "other": ((PRIVATE_BODY, PRIVATE_REPLY), [world.private_note.pk]),
    }
    for role, (hidden, pks) in expectations.items():
        client = client_for(world, role)
        for url in (reverse("annotations:collection"), reverse("annotations:container", args=[world.seed.slug])):
            for query in ("", "?iris=1"):
                for prefer in PREFERS:
                    headers = {"Prefer": prefer} if prefer else {}
                    first = client.get(url + query, headers=headers)
                    assert first.status_code == 200
                    pages = [first.content.decode()]
                    last = json.loads(pages[0]).get("last")
                    number = 0
                    while last and number <= int(last.rsplit("page=", 1)[1]):
                        page = client.get(url + query, {"page": number}, headers=headers)
                        pages.append(page.content.decode())
                        number += 1
                    for body in pages:
                        assert traces(body, world, hidden=hidden, pks=pks) == [], (role, url, query, prefer)
                        assert DRAFT_NOTE not in body or role == "other"
    total = Client().get(reverse("annotations:container", args=[world.seed.slug])).json()["total"]
    assert total == 2  # the public note and the mention: the hidden notes are not even counted


def test_the_single_annotation_urls_answer_404_to_those_who_may_not_read(leaks):
    world = leaks
    hidden = {
        None: [*non_public_pks(world), world.draft_note.pk],
        "other": [world.private_note.pk],
    }
    for role, pks in hidden.items():
        client = client_for(world, role)
        for pk in pks:
            slug = world.seed.slug if pk != world.draft_note.pk else world.draft.slug
            for url in (reverse("annotations:annotation", args=[pk]), f"/articles/{slug}/annotations/{pk}"):
                for method in ("get", "head", "options"):
                    response = getattr(client, method)(url)
                    assert response.status_code == 404, (role, url, method)
                    assert response["Content-Type"] == "application/json"


def test_other_editors_never_see_a_private_note_in_the_workspace_or_the_dashboard(leaks):
    world = leaks
    other = client_for(world, "other")
    html = other.get(reverse("editor:workspace", args=[world.seed.slug])).content.decode()
    assert EDITORS_BODY in html and PRIVATE_BODY not in html and PRIVATE_REPLY not in html
    author = client_for(world, "editor").get(reverse("editor:workspace", args=[world.seed.slug])).content.decode()
    assert PRIVATE_BODY in author and PRIVATE_REPLY in author


def test_a_reply_is_never_shown_to_more_people_than_the_note_it_answers(leaks, django_capture_on_commit_callbacks):
    """The public page shows no reply of a hidden note; so neither may the protocol nor the search."""
    world, anonymous = leaks, Client()
    asked_public = world.editors_note.replies.get(body_value=THREAD_REPLY)
    assert asked_public.visibility == "editors"  # the fixture asked for "public"
    answer = reply(world, world.public_note, "reviewer", "Germanium-public-reply", "public")
    index(world)
    assert found(world, "Germanium-public-reply")
    public = world.public_note
    with django_capture_on_commit_callbacks(execute=True):
        annotation_update(
            annotation=public, user=world.user("editor"), expected_version=public.version, visibility="editors"
        )
    after = type(answer).objects.get(pk=answer.pk)
    assert after.visibility == "editors" and after.version == answer.version + 1
    for url in (
        reverse("annotations:collection"),
        reverse("annotations:container", args=[world.seed.slug]),
        world.seed.get_absolute_url(),
    ):
        body = anonymous.get(url).content.decode()
        assert "Germanium-public-reply" not in body and THREAD_REPLY not in body, url
    assert anonymous.get(reverse("annotations:annotation", args=[answer.pk])).status_code == 404
    assert not found(world, "Germanium-public-reply")


def test_a_reply_posted_through_the_protocol_keeps_to_its_thread(leaks):
    world = leaks
    client = client_for(world, "reviewer")
    parent = f"http://testserver/articles/{world.seed.slug}/annotations/{world.editors_note.pk}"
    posted = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "replying",
        "body": {"type": "TextualBody", "value": "Asked to be public", "format": "text/plain"},
        "target": parent,
        "pal:visibility": "public",
    }
    url = reverse("annotations:container", args=[world.seed.slug])
    response = client.post(url, json.dumps(posted), content_type="application/ld+json")
    assert response.status_code == 201 and response.json()["pal:visibility"] == "editors"
    assert "Asked to be public" not in Client().get(reverse("annotations:collection")).content.decode()


def test_entity_pages_list_no_drafts_and_no_hidden_mentions(leaks):
    world, anonymous = leaks, Client()
    editor = world.user("editor")
    mention_create(article=world.draft, user=editor, selectors=Selectors(exact="paragraph 0"), entity=world.entity)
    mention_create(
        article=world.seed,
        user=editor,
        selectors=Selectors(exact="Lukashenko"),
        entity=world.entity,
        visibility="editors",
    )
    world.draft.tags.add("Belarus protests")
    pages = [
        world.entity.get_absolute_url(),
        reverse("annotations:entity_list"),
        reverse("annotations:tag_detail", args=[world.tag_slug]),
        reverse("annotations:search") + f"?entity={world.entity.slug}",
        reverse("annotations:search") + f"?tag={world.tag_slug}",
        reverse("archive:article_list"),
    ]
    for url in pages:
        html = anonymous.get(url).content.decode()
        assert DRAFT_HEADLINE not in html and world.draft.slug not in html, url
    entity_page = anonymous.get(world.entity.get_absolute_url()).content.decode()
    assert "Alexander Lukashenko" in entity_page and world.seed.headline in entity_page
    editor_view = client_for(world, "editor").get(world.entity.get_absolute_url()).content.decode()
    assert DRAFT_HEADLINE in editor_view  # editors see drafts, so the test above can fail


def test_drafts_leak_through_no_related_link_search_container_or_cache(leaks):
    world, anonymous = leaks, Client()
    article_link_create(source=world.seed, target=world.draft, kind="follow-up", user=world.user("editor"))
    assert DRAFT_HEADLINE not in anonymous.get(world.seed.get_absolute_url()).content.decode()
    assert not search.search_articles(parse_query("Xylophonic"), user=None).ranked
    html = anonymous.get(reverse("annotations:search"), {"q": "Xylophonic"}).content.decode()
    assert DRAFT_HEADLINE not in html
    assert anonymous.get(reverse("annotations:container", args=[world.draft.slug])).status_code == 404
    editor = client_for(world, "editor")
    assert DRAFT_HEADLINE in editor.get(reverse("annotations:search"), {"q": "Xylophonic"}).content.decode()


def test_an_unpublished_article_leaves_the_cached_pages_at_once(leaks):
    world, anonymous = leaks, Client()
    urls = [
        world.seed.get_absolute_url(),
        reverse("archive:original_detail", args=[world.seed.slug]),
        reverse("annotations:container", args=[world.seed.slug]),
    ]
    assert [anonymous.get(url).status_code for url in urls] == [200, 200, 200]
    assert world.seed.headline in anonymous.get(reverse("archive:article_list")).content.decode()
    article_unpublish(article=world.seed, actor=world.user("reviewer"))
    assert [anonymous.get(url).status_code for url in urls] == [404, 404, 404]
    assert world.seed.headline not in anonymous.get(reverse("archive:article_list")).content.decode()
    assert not found(world, "Lukashenko")
    article_publish(article=world.seed, actor=world.user("reviewer"))
    assert anonymous.get(urls[0]).status_code == 200


def test_the_sitemap_names_no_draft_and_no_private_note(leaks):
    world = leaks
    for role in (None, "editor", "admin"):  # the same for everyone: it is for crawlers
        client = client_for(world, role)
        pages = "".join(client.get(url).content.decode() for url in ("/sitemap.xml", *SITEMAP_SECTIONS))
        assert world.seed.get_absolute_url() in pages and world.draft.get_absolute_url() not in pages
        assert world.draft.slug not in pages and DRAFT_NOTE not in pages
        for body in (PRIVATE_BODY, EDITORS_BODY, PUBLIC_BODY):
            assert body not in pages


def test_the_only_feeds_are_the_sitemaps():
    """A new feed must get its own leak tests here (private notes, drafts) before this test is changed."""
    suspicious = [route for route in routes() if any(word in route for word in ("feed", "rss", "atom", "sitemap"))]
    assert suspicious == ["sitemap.xml", "sitemap-<section>.xml"]


def test_export_annotations_is_a_lossless_backup_that_marks_each_visibility(leaks, tmp_path):
    out = tmp_path / "annotations.json"
    call_command("export_annotations", output=str(out), stderr=open("/dev/null", "w"))  # noqa: SIM115
    items = json.loads(out.read_text())["first"]["items"]
    visibility = {item["body"]["value"]: item["pal:visibility"] for item in items if "body" in item}
    assert visibility[PRIVATE_BODY] == "private" and visibility[EDITORS_BODY] == "editors"
    assert visibility[PUBLIC_BODY] == "public"


def test_an_editor_cannot_make_someone_elses_private_note_public(leaks):
    world = leaks
    client = client_for(world, "other")
    url = reverse("annotations:annotation", args=[world.private_note.pk])
    response = client.put(url, "{}", content_type="application/ld+json", headers={"If-Match": "*"})
    assert response.status_code == 404
    world.private_note.refresh_from_db()
    assert world.private_note.visibility == "private"


def test_notes_on_a_draft_stay_hidden_when_it_was_never_published(leaks):
    world, anonymous = leaks, Client()
    answer = reply(world, world.draft_note, "editor", "Thulium-reply-on-a-draft", "public")
    collection = anonymous.get(reverse("annotations:collection")).content.decode()
    assert DRAFT_NOTE not in collection and "Thulium" not in collection
    assert f"/annotations/{answer.pk}" not in collection
    assert anonymous.get(reverse("annotations:annotation", args=[answer.pk])).status_code == 404
