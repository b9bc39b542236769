"""The editor's day in a real browser: select words, correct, review, tag, link, and meet a conflict."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from annotations.models import Annotation, Correction, TaggedEntity
from annotations.services.annotating import annotation_update
from annotations.services.entities import entities_load
from tests.browser.helpers import expect_console_error, select_with_mouse, sign_in, sign_out, workspace_url
from tests.factories import SEED_PATH, import_seed, make_article, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def seed():
    return import_seed(publish=True)


@pytest.fixture
def editor():
    return make_member("eddie", "Editor")


@pytest.fixture
def reviewer():
    return make_member("rita", "Reviewer")


def test_belchett_is_corrected_to_bachelet_and_readers_see_the_mark(page, live_server, seed, editor, reviewer):
    sign_in(page, live_server, "eddie")
    page.goto(workspace_url(live_server, seed))
    select_with_mouse(page, "Belchett")
    toolbar = page.get_by_role("toolbar", name="Annotate the selected words")
    expect(toolbar).to_be_visible()
    toolbar.get_by_role("button", name="Correct").click()
    replacement = page.get_by_label("Replace with")
    expect(replacement).to_be_focused()
    expect(page.locator("#id_correction-quote")).to_have_value("Belchett")
    replacement.fill("Bachelet")
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".messages")).to_contain_text("Correction proposed: “Belchett” → “Bachelet”")
    expect(page.locator(".annotation.kind-editing")).to_contain_text("Proposed")
    sign_out(page)

    sign_in(page, live_server, "rita")
    correction = Correction.objects.get()
    page.goto(f"{live_server.url}{reverse('editor:dashboard')}")
    queue = page.locator(".review-queue")
    queue.get_by_label("Select “Belchett” → “Bachelet”").check()
    queue.get_by_role("button", name="Accept checked").click()
    expect(page.locator(".messages")).to_contain_text("1 correction(s) accepted as revision 2")
    correction.refresh_from_db()
    assert correction.state == "accepted"

    page.goto(f"{live_server.url}{seed.get_absolute_url()}")
    mark = page.locator("ins.correction", has_text="Bachelet")
    expect(mark).to_be_visible()
    assert "Belchett" not in page.locator(".article-body").inner_text()


def test_a_question_goes_through_the_protocol_and_a_stale_resolve_shows_the_conflict(
    page, live_server, seed, editor, console_errors
):
    sign_in(page, live_server, "eddie")
    page.goto(workspace_url(live_server, seed))
    select_with_mouse(page, "Tikhnovskaya", occurrence=2)
    page.get_by_role("toolbar").get_by_role("button", name="Question").click()
    expect(page.get_by_label("Note", exact=True)).to_be_focused()
    page.get_by_label("Note", exact=True).fill("Same person as Tiknovskaya?")
    with page.expect_response(lambda r: r.request.method == "POST" and "/annotations/" in r.url) as posted:
        page.get_by_role("button", name="Add", exact=True).click()
    assert posted.value.status == 201
    expect(page.get_by_role("status")).to_contain_text("Question added.")

    note = Annotation.objects.get()
    text = seed.current_revision.text
    second = text.index("Tikhnovskaya", text.index("Tikhnovskaya") + 1)
    assert (note.motivation, note.start, note.exact) == ("questioning", second, "Tikhnovskaya")
    item = page.locator(f'.annotation[data-id="{note.pk}"]')
    expect(item).to_be_focused()
    mark = page.locator(f'mark[data-ids="{note.pk}"]')
    expect(mark).to_have_class("hl hl-questioning active")

    item.get_by_label("Reply to this question").fill("Yes: Tsikhanouskaya.")
    item.get_by_role("button", name="Reply").click()
    expect(page.get_by_role("status")).to_contain_text("Reply added.")
    expect(item.locator(".replies")).to_contain_text("Yes: Tsikhanouskaya.")
    item.get_by_text("Edit", exact=True).click()
    item.get_by_label("Text of this question").fill("Same person as Tiknovskaya and Tsikhanouskaya?")
    item.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(item.locator(".annotation-body")).to_contain_text("and Tsikhanouskaya?")

    annotation_update(annotation=note, user=editor, expected_version=2, status="resolved")  # someone else, meanwhile
    item.get_by_role("button", name="Resolve").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Nothing was saved: the text or this annotation changed")
    expect_console_error(console_errors, "status of 412 (Precondition Failed)")
    status.get_by_role("button", name="Reload").click()
    expect(item).to_contain_text("Resolved")
    item.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Annotation deleted.")
    expect(item).to_have_count(0)
    assert not Annotation.objects.exists()


def test_lukashenko_is_tagged_as_a_person(page, live_server, seed, editor):
    entities_load(records=json.loads((SEED_PATH.parent / "entities.json").read_text()))
    sign_in(page, live_server, "eddie")
    page.goto(workspace_url(live_server, seed))
    select_with_mouse(page, "Lukashenko")
    page.get_by_role("toolbar").get_by_role("button", name="Tag entity").click()
    entity = page.get_by_label("Entity (name or alias)")
    expect(entity).to_be_focused()
    expect(entity).to_have_value("Lukashenko")
    page.get_by_label("Kind of a new entity").select_option("person")
    page.get_by_role("button", name="Tag", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("“Lukashenko” is tagged as Alexander Lukashenko (Person)")
    mention = Annotation.objects.get(motivation="identifying")
    assert mention.entity.name == "Alexander Lukashenko"
    assert TaggedEntity.objects.filter(content_object=seed, tag=mention.entity).exists()
    page.locator(".annotation.kind-identifying").get_by_role("link", name="Alexander Lukashenko").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alexander Lukashenko")
    expect(page.get_by_role("link", name=seed.headline)).to_be_visible()


def test_related_coverage_is_linked_from_a_passage(page, live_server, seed, editor):
    earlier = make_article("Belarus election day report")
    sign_in(page, live_server, "eddie")
    page.goto(workspace_url(live_server, seed))
    select_with_mouse(page, "Lukashenko")
    page.get_by_role("toolbar").get_by_role("button", name="Link coverage").click()
    target = page.get_by_label("Archive article (headline)")
    expect(target).to_be_focused()
    target.fill("election day")
    expect(page.locator("#article-choices option")).to_have_count(1)
    target.fill(earlier.headline)
    page.get_by_label("Relation").select_option("background")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"Linked: Background: {earlier.headline}")
    expect(page.locator(".annotation.kind-linking")).to_contain_text(earlier.headline)
    page.goto(f"{live_server.url}{seed.get_absolute_url()}")
    expect(page.locator(".related")).to_contain_text(earlier.headline)
