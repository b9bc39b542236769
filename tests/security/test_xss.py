"""The XSS corpus through every user-entered field, on every page that shows it (tests/security/corpus.py).

Each page must hold the payloads escaped (they are readable text) and nothing a payload could have
become (`injections`); JSON endpoints return them as JSON strings, unchanged. The browser test
(tests/browser/test_xss.py) loads the same archive in Chromium.
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from annotations.models import Annotation, Correction, Entity, ExternalLink
from annotations.services.links import ExternalCoverage, LinkError, check_external_url, external_link_create
from archive.models import Article
from tests.security.corpus import (
    FILENAME,
    MARKUP_URL,
    PAYLOADS,
    SCRIPT_URLS,
    build_xss_world,
    injections,
    missing_escaped,
)

pytestmark = pytest.mark.django_db

JSON_LD_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture
def xss(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_xss_world()


def public_bodies(world) -> list[str]:
    """The bodies readers see: public notes and their replies."""
    rows = Annotation.objects.filter(article=world.article, visibility="public").exclude(body_value="")
    return sorted({body for body in rows.values_list("body_value", flat=True)})


def all_bodies(world) -> list[str]:
    rows = Annotation.objects.filter(article=world.article).exclude(motivation__in=["identifying", "linking"])
    return sorted({body for body in rows.values_list("body_value", flat=True) if body})


def problems_of(response, texts=()) -> dict:
    """What is wrong with a page: its status, injected markup, texts it should show escaped and does not."""
    html = response.content.decode()
    found = {}
    if response.status_code not in (200, 400):
        found["status"] = response.status_code
    if bad := injections(html):
        found["injected"] = bad
    if missing := missing_escaped(html, texts):
        found["not shown escaped"] = missing
    return found


def check_pages(client, pages: dict[str, list[str]]) -> dict:
    return {url: found for url, texts in pages.items() if (found := problems_of(client.get(url), texts))}


def test_the_public_pages_show_every_payload_as_text(client, xss):
    article, other = xss.article, xss.other
    revision = article.current_revision.number
    external = ExternalLink.objects.get(article=article)
    pages = {
        reverse("archive:article_list"): [article.headline],
        article.get_absolute_url(): [
            article.headline,
            *PAYLOADS,  # the paragraphs
            *public_bodies(xss),
            *(entity.name for entity in xss.entities),
            PAYLOADS[11],  # the related link's note
            external.title,
            external.outlet,
            external.note,
        ],
        other.get_absolute_url(): [article.headline, PAYLOADS[11]],
        reverse("archive:original_detail", args=[article.slug]): [FILENAME, article.headline, *PAYLOADS],
        reverse("annotations:revision_list", args=[article.slug]): [article.headline],
        reverse("annotations:revision_diff", args=[article.slug]) + f"?from=1&to={revision}": [PAYLOADS[1]],
        reverse("annotations:entity_list"): [entity.name for entity in xss.entities],
        reverse("annotations:search") + "?q=Paragraph": [article.headline],
        reverse("annotations:search") + f"?q=Paragraph&entity={xss.entities[3].slug}": [xss.entities[3].name],
        reverse("annotations:search") + f"?q=Paragraph&tag={xss.tag_slugs[5]}": [],
    }
    for entity in xss.entities:
        pages[entity.get_absolute_url()] = [entity.name, entity.description, *entity.aliases, article.headline]
    for slug in xss.tag_slugs:
        pages[reverse("annotations:tag_detail", args=[slug])] = [article.headline]
    assert check_pages(client, pages) == {}


def test_the_json_ld_in_the_article_page_stays_json(client, xss):
    html = client.get(xss.article.get_absolute_url()).content.decode()
    scripts = JSON_LD_SCRIPT.findall(html)
    assert len(scripts) == 1 and "</" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["headline"] == xss.article.headline
    assert PAYLOADS[1] in data["correction"][0]["text"]


def test_searching_and_signing_in_reflect_what_was_typed_as_text(client, xss):
    problems = {}
    for payload in PAYLOADS:
        response = client.get(reverse("annotations:search"), {"q": payload})
        if found := problems_of(response, [payload]):
            problems[f"search {payload}"] = found
        response = client.post(reverse("login"), {"username": payload, "password": "wrong"})
        if found := problems_of(response, [payload]):
            problems[f"sign in {payload}"] = found
    assert problems == {}


def test_the_editor_pages_show_every_payload_as_text(client, xss):
    article = xss.article
    client.force_login(xss.reviewer)  # a reviewer sees everything an editor does, and the review forms
    proposed = Correction.objects.get(pk=xss.proposed.pk)
    pages = {
        reverse("editor:dashboard"): [article.headline, proposed.replacement, proposed.reason],
        reverse("editor:workspace", args=[article.slug]): [
            article.headline,
            *PAYLOADS,
            *all_bodies(xss),
            proposed.replacement,
            *(entity.name for entity in xss.entities[1:2]),
            xss.other.headline,
        ],
        reverse("editor:workspace", args=[xss.other.slug]): [],
        reverse("annotations:revision_list", args=[article.slug]): [article.headline],
    }
    assert check_pages(client, pages) == {}


def test_the_admin_pages_show_every_payload_as_text(client, xss):
    client.force_login(xss.admin)
    note, entity = xss.notes[1], xss.entities[2]
    pages = {
        reverse("admin:archive_article_changelist"): [xss.article.headline],
        reverse("admin:archive_article_change", args=[xss.article.pk]): [],
        reverse("admin:archive_original_changelist"): [FILENAME],
        reverse("admin:archive_original_change", args=[xss.article.originals.get().pk]): [FILENAME],
        reverse("admin:annotations_annotation_changelist"): [],
        reverse("admin:annotations_annotation_change", args=[note.pk]): [note.body_value],
        reverse("admin:annotations_correction_changelist"): [],
        reverse("admin:annotations_correction_change", args=[xss.rejected.pk]): [PAYLOADS[10]],
        reverse("admin:annotations_glossaryentry_changelist"): [],
        reverse("admin:annotations_glossaryentry_change", args=[xss.glossary.pk]): [PAYLOADS[2]],
        reverse("admin:annotations_entity_changelist"): [entity.name],
        reverse("admin:annotations_entity_change", args=[entity.pk]): [entity.name],
        reverse("admin:annotations_entitysuggestion_changelist"): [],
        reverse("admin:annotations_articlelink_changelist"): [],
        reverse("admin:annotations_externallink_changelist"): [PAYLOADS[12]],
        reverse("admin:taggit_tag_changelist"): [],
        reverse("admin:audit_auditentry_changelist"): [],
    }
    assert check_pages(client, pages) == {}


def test_payloads_typed_into_the_editor_forms_come_back_as_text(client, xss):
    """Through the views (not only the services): refused forms shown again, and the messages after a write."""
    article = xss.article
    client.force_login(xss.editor)
    workspace = reverse("editor:workspace", args=[article.slug])
    note = xss.notes[1]
    note_fields = {"motivation": "commenting", "visibility": "editors"}
    correction_fields = {"correction-category": "style", "correction-severity": "minor"}
    posts = [
        # (URL name, form data, what the answer must show escaped): refused forms come back filled in,
        # accepted ones redirect to a page whose message names what was done.
        (
            "editor:note_create",
            {"quote": PAYLOADS[6] + "zz", "body": PAYLOADS[7]} | note_fields,
            [PAYLOADS[6], PAYLOADS[7]],
        ),
        ("editor:note_create", {"quote": PAYLOADS[2], "body": PAYLOADS[6]} | note_fields, [PAYLOADS[6]]),
        (
            "editor:correction_create",
            {"correction-quote": PAYLOADS[5], "correction-replacement": PAYLOADS[7], "correction-reason": PAYLOADS[8]}
            | correction_fields,
            [PAYLOADS[5], PAYLOADS[7]],
        ),
        (
            "editor:correction_create",
            {"correction-quote": PAYLOADS[9] + "zz", "correction-replacement": PAYLOADS[6]} | correction_fields,
            [PAYLOADS[9] + "zz", PAYLOADS[6]],
        ),
        (
            "editor:entity_tag",
            {"entity-quote": PAYLOADS[3], "entity-entity": PAYLOADS[0], "entity-kind": "place"},
            [PAYLOADS[3], PAYLOADS[0]],
        ),
        (
            "editor:entity_tag",
            {"entity-quote": PAYLOADS[3], "entity-entity": PAYLOADS[17] + " unknown"},
            [PAYLOADS[17] + " unknown"],
        ),
        (
            "editor:link_create",
            {"link-url": MARKUP_URL + "&2", "link-title": PAYLOADS[15], "link-kind": "background"},
            [PAYLOADS[15]],
        ),
        (
            "editor:link_create",
            {"link-url": SCRIPT_URLS[0], "link-title": PAYLOADS[15], "link-kind": "background"},
            [SCRIPT_URLS[0], PAYLOADS[15]],
        ),
        (
            "editor:link_create",
            {"link-target": PAYLOADS[7], "link-kind": "background", "link-note": PAYLOADS[8]},
            [PAYLOADS[7], PAYLOADS[8]],
        ),
    ]
    problems = {}
    for name, data, shown in posts:
        response = client.post(reverse(name, args=[article.slug]), data, follow=True)
        if found := problems_of(response, shown):
            problems[f"{name} {data}"] = found
    action = reverse("editor:annotation_action", args=[article.slug, note.pk])
    note.refresh_from_db()
    for data in (
        {"action": "reply", "version": note.version, "body": PAYLOADS[18]},
        {"action": "edit", "version": note.version, "body": PAYLOADS[19]},
    ):
        if found := problems_of(client.post(action, data, follow=True), [data["body"]]):
            problems[f"annotation_action {data}"] = found
    upload = SimpleUploadedFile(FILENAME.replace("20", "22"), b"Uploaded\n\nA paragraph with enough words to read.\n")
    response = client.post(reverse("editor:upload"), {"files": upload}, follow=True)
    if found := problems_of(response, [FILENAME.replace("20", "22")]):
        problems["upload"] = found
    assert problems == {}
    assert client.get(workspace).status_code == 200
    assert Entity.objects.filter(name=PAYLOADS[0]).exists()  # the new entity was made, named as typed
    assert not ExternalLink.objects.filter(url__icontains="script:").exists()


def test_json_endpoints_return_the_payloads_as_json_strings(client, xss):
    article = xss.article
    responses = {
        "container": client.get(reverse("annotations:container", args=[article.slug])),
        "collection": client.get(reverse("annotations:collection")),
        "annotation": client.get(reverse("annotations:annotation", args=[xss.notes[1].pk])),
    }
    for name, response in responses.items():
        assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json"), name
    described = responses["container"].json()["first"]["items"]
    bodies = {item["body"]["value"] for item in described if "body" in item}
    assert set(public_bodies(xss)) <= bodies
    assert responses["annotation"].json()["body"]["value"] == xss.notes[1].body_value

    client.force_login(xss.editor)
    entities = client.get(reverse("editor:entity_lookup"), {"q": "Entity 1"})
    assert entities["Content-Type"] == "application/json"
    assert {xss.entities[1].name, xss.entities[10].name} <= {row["value"] for row in entities.json()["results"]}
    articles = client.get(reverse("editor:article_lookup"), {"q": "Headline"})
    assert [row["value"] for row in articles.json()["results"]] == [article.headline]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_script_urls_are_refused_where_links_are_typed(client, xss, url):
    with pytest.raises(LinkError):
        check_external_url(url)
    with pytest.raises(LinkError):
        external_link_create(article=xss.article, user=xss.editor, coverage=ExternalCoverage(url=url, title="Link"))
    client.force_login(xss.editor)
    data = {"link-url": url, "link-title": "Link", "link-kind": "background"}
    response = client.post(reverse("editor:link_create", args=[xss.article.slug]), data)
    assert response.status_code == 400 and injections(response.content.decode()) == []
    client.force_login(xss.admin)
    change = reverse("admin:archive_article_change", args=[xss.article.pk])
    client.post(change, admin_form_with_external_link(client, change, url))
    assert not ExternalLink.objects.exclude(url__startswith="https://").exists()


def admin_form_with_external_link(client, change_url: str, url: str) -> dict:
    """The article's admin form as the browser would send it, with one new external link row."""
    form = client.get(change_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data |= {"headline": form.initial["headline"], "slug": form.initial["slug"], "language": form.initial["language"]}
    for formset in client.get(change_url).context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        management = formset.formset.management_form
        data |= {f"{prefix}-{key}": value for key, value in management.initial.items()}
        for number, row in enumerate(formset.formset.initial_forms):
            data |= {f"{prefix}-{number}-{key}": value for key, value in row.initial.items() if value is not None}
        if formset.formset.model is ExternalLink:
            total = management.initial["TOTAL_FORMS"]
            data[f"{prefix}-TOTAL_FORMS"] = total + 1
            data |= {f"{prefix}-{total}-url": url, f"{prefix}-{total}-title": "Link", f"{prefix}-{total}-article": ""}
    return data


def test_the_stored_payloads_are_kept_exactly_as_typed(xss):
    """Escaping happens on output only: the archive keeps what was typed, byte for byte."""
    assert Article.objects.get(pk=xss.article.pk).headline == f"Headline {PAYLOADS[0]} {PAYLOADS[5]} {PAYLOADS[7]}"
    assert [note.body_value for note in xss.notes] == list(PAYLOADS)
    assert Entity.objects.get(pk=xss.entities[14].pk).description == PAYLOADS[14]


#: Payloads that are harmless as HTML (they aim at scripts, JSON, templates or the eye), by index.
HARMLESS_AS_HTML = {12, 13, 14, 15, 18}


@pytest.mark.parametrize("number", sorted(set(range(len(PAYLOADS))) - HARMLESS_AS_HTML))
def test_the_checker_finds_each_payload_left_unescaped(number):
    """So that a clean page means escaped payloads, not a blind checker."""
    payload = PAYLOADS[number]
    raw = f"<p>{payload}</p><input value=\"{payload}\"><input value='{payload}'>"
    assert injections(raw) != []
    safe = f"<p>{escape(payload)}</p><input value=\"{escape(payload)}\"><input value='{escape(payload)}'>"
    assert injections(safe) == []
