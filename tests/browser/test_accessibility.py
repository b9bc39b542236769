"""Accessibility in the browser: axe-core on the editor's and readers' pages with every kind of annotation,
labels on every field, keyboard paths through the workspace, and a 360 px wide screen."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from annotations.anchoring import Selectors
from annotations.models import Entity
from annotations.services.annotating import Body, annotation_create
from annotations.services.corrections import correction_accept, correction_propose
from annotations.services.entities import entities_load, mention_create
from annotations.services.entity_suggestions import entities_suggest
from annotations.services.links import article_link_create
from tests.browser.helpers import select_with_mouse, sign_in, workspace_url
from tests.factories import SEED_PATH, import_seed, make_article, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""
UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(field => !field.labels.length && !field.getAttribute('aria-label') && !field.getAttribute('aria-labelledby'))
  .map(field => field.name || field.id)"""


def span(article, quote, occurrence=1):
    text, start = article.current_revision.text, -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def selectors(article, quote, occurrence=1):
    start, end = span(article, quote, occurrence)
    return Selectors(exact=quote, start=start, end=end)


@pytest.fixture
def worked_on():
    """The seed after a day's work: notes, corrections in every state, a mention, a link, an orphan."""
    entities_load(records=json.loads((SEED_PATH.parent / "entities.json").read_text()))
    article = import_seed(publish=True)
    entities_suggest(articles=[article])
    editor, reviewer = make_member("eddie", "Editor"), make_member("rita", "Reviewer")
    note = annotation_create(
        article=article,
        creator=editor,
        motivation="commenting",
        selectors=selectors(article, "calm the winds"),
        body=Body("Idiom; means calm tensions."),
        visibility="public",
    )
    annotation_create(article=article, creator=reviewer, motivation="replying", parent=note, body=Body("Agreed."))
    annotation_create(
        article=article,
        creator=editor,
        motivation="questioning",
        selectors=selectors(article, "Please enter your comment!"),
    )
    propose = {"article": article, "proposer": editor, "category": "terminology"}
    correction_propose(**propose, replacement="condemned", span=span(article, "Condemned"))
    belchett = correction_propose(**propose, replacement="Bachelet", span=span(article, "Belchett"))
    correction_propose(**propose, replacement="Michelle Bachelet", span=span(article, "Michelle Belchett"))
    propose["category"] = "removal"
    removal = correction_propose(**propose, replacement="", span=span(article, "Please enter your comment!"))
    correction_accept(correction=belchett, reviewer=reviewer)  # the proposal on "Michelle Belchett" needs a rebase
    correction_accept(correction=removal, reviewer=reviewer)  # the question on those words is orphaned
    article.refresh_from_db()
    lukashenko = Entity.objects.get(name="Alexander Lukashenko")
    mention_create(article=article, user=editor, selectors=selectors(article, "Lukashenko"), entity=lukashenko)
    earlier = make_article("Belarus election day report")
    article_link_create(
        source=article, target=earlier, kind="background", user=editor, selectors=selectors(article, "Poland")
    )
    return article


def check(page, url):
    page.goto(url)
    assert page.evaluate(RUN_AXE) == [], url
    assert page.evaluate(UNLABELLED_FIELDS) == [], url


def test_no_serious_or_critical_axe_violations_and_every_field_labelled(context, live_server, worked_on):
    context.add_init_script(script=AXE)
    page = context.new_page()
    sign_in(page, live_server, "rita")
    check(page, f"{live_server.url}{reverse('editor:dashboard')}")
    check(page, workspace_url(live_server, worked_on))
    expect(page.locator(".orphans .annotation")).to_have_count(1)
    expect(page.locator(".annotation .todo")).to_have_count(2)  # the orphan and the correction needing a rebase
    select_with_mouse(page, "Pompeo")
    expect(page.get_by_role("toolbar")).to_be_visible()
    assert page.evaluate(RUN_AXE) == []
    for url in (
        worked_on.get_absolute_url(),
        reverse("annotations:revision_list", args=[worked_on.slug]),
        reverse("annotations:revision_diff", args=[worked_on.slug]),
        Entity.objects.get(name="Alexander Lukashenko").get_absolute_url(),
    ):
        check(page, f"{live_server.url}{url}")


def test_the_keyboard_reaches_the_text_the_toolbar_and_the_panel(browsing, live_server, worked_on):
    page = browsing.context(browsing.launch("--enable-caret-browsing")).new_page()  # as F7 turns it on
    sign_in(page, live_server, "eddie")
    page.goto(workspace_url(live_server, worked_on))
    for _ in range(30):  # Tab from the top of the page until the article text has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "article-text":
            break
    expect(page.locator("#article-text")).to_be_focused()

    # Caret browsing (F7): put the caret before "Pompeo", then Shift+→ selects the word, as a keyboard user would.
    page.evaluate("""() => {
      const walker = document.createTreeWalker(document.getElementById('article-text'), NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) { const at = walker.currentNode.data.indexOf('Pompeo');
        if (at >= 0) { getSelection().collapse(walker.currentNode, at); return; } } }""")
    for _ in range(len("Pompeo")):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("getSelection().toString()") == "Pompeo"
    toolbar = page.get_by_role("toolbar", name="Annotate the selected words")
    expect(toolbar).to_be_visible()
    page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="Comment")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Question")).to_be_focused()
    page.keyboard.press("Escape")
    expect(toolbar).to_be_hidden()
    expect(page.locator("#article-text")).to_be_focused()

    page.keyboard.press("Shift+ArrowRight")  # the selection is still there: one more character (a space)
    expect(toolbar).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Link coverage")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(toolbar.get_by_role("button", name="Correct")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Replace with")).to_be_focused()
    expect(page.locator("#id_correction-quote")).to_have_value("Pompeo")
    page.keyboard.type("Pompeo (US Secretary of State)")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(
        "Correction proposed: “Pompeo” → “Pompeo (US Secretary of State)”"
    )

    mark = page.locator("#article-text mark.hl-identifying")
    mark.focus()
    item = page.locator(".annotation.kind-identifying")
    expect(item).to_have_class("annotation kind-identifying state-anchored active")
    page.keyboard.press("Enter")
    expect(item).to_be_focused()


def test_the_workspace_is_usable_360_px_wide(browsing, live_server, worked_on):
    page = browsing.context(viewport={"width": 360, "height": 740}, has_touch=True).new_page()
    sign_in(page, live_server, "eddie")
    for url in (
        reverse("editor:dashboard"),
        reverse("editor:workspace", args=[worked_on.slug]),
        worked_on.get_absolute_url(),
    ):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    page.goto(workspace_url(live_server, worked_on))
    select_with_mouse(page, "Pompeo")
    toolbar = page.get_by_role("toolbar")
    box = toolbar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    toolbar.get_by_role("button", name="Comment").click()
    expect(page.get_by_label("Note", exact=True)).to_be_focused()
    expect(page.get_by_label("Note", exact=True)).to_be_in_viewport()
