"""The XSS corpus in Chromium: pages holding every payload (tests/security/corpus.py) run none of them.

Before any page script, `alert`, `confirm` and `prompt` are replaced by recorders, and
`securitypolicyviolation` events are collected: our policy forbids inline scripts, so an injected one
would be reported even if it did not run. Every payload sets `window.__xss` when it runs. After each
page (and a few keystrokes and a hover, for handlers that wait for them) the DOM itself is searched
for what a payload could have become, as the browser parsed it.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import select_with_mouse, sign_in, workspace_url
from tests.security.corpus import PAYLOADS, build_xss_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WATCH = """
window.__dialogs = [];
window.__violations = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__dialogs.push(`${name}(${args.join(", ")})`); return null; };
}
document.addEventListener("securitypolicyviolation", (event) =>
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`));
"""
INJECTED = """() => {
  const found = [];
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "srcdoc"];
  for (const element of document.querySelectorAll("*")) {
    const tag = element.tagName.toLowerCase();
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) found.push(`${tag}[${attribute.name}]`);
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      const scriptUrl = /^(javascript|vbscript|data):/.test(value) && !(tag === "link" && value === "data:,");
      if (urlAttributes.includes(attribute.name) && scriptUrl) found.push(`${tag}[${attribute.name}=${value}]`);
    }
    if (["iframe", "frame", "object", "embed", "base", "style"].includes(tag)) found.push(tag);
    if (tag === "meta" && element.hasAttribute("http-equiv")) found.push("meta[http-equiv]");
    if (tag === "script" && !element.src && element.type !== "application/ld+json") found.push("inline script");
  }
  return found;
}"""
OUTCOME = "() => ({xss: window.__xss ?? null, dialogs: window.__dialogs, violations: window.__violations})"


@pytest.fixture
def xss(transactional_db):
    return build_xss_world()


@pytest.fixture
def watched(context):
    context.add_init_script(WATCH)
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    context.on("page", lambda page: page.on("dialog", dismiss))
    page = context.new_page()
    page.native_dialogs = dialogs
    return page


def poke(page) -> None:
    """What a reader does that wakes handlers up: a few Tabs and a hover over the text."""
    for _ in range(8):
        page.keyboard.press("Tab")
    page.mouse.move(300, 300, steps=5)
    page.mouse.move(600, 500, steps=5)


def ran(page) -> dict:
    """What ran or was injected in the page: an empty dict when nothing did."""
    poke(page)
    page.wait_for_timeout(50)
    seen = page.evaluate(OUTCOME) | {"injected": page.evaluate(INJECTED), "native dialogs": page.native_dialogs}
    return {name: value for name, value in seen.items() if value}


def test_readers_pages_with_every_payload_run_nothing(watched, live_server, xss):
    page = watched
    pages = {
        "article": xss.article.get_absolute_url(),
        "original": reverse("archive:original_detail", args=[xss.article.slug]),
        "other article": xss.other.get_absolute_url(),
        "entity": xss.entities[1].get_absolute_url(),
        "entities": reverse("annotations:entity_list"),
        "topic": reverse("annotations:tag_detail", args=[xss.tag_slugs[0]]),
        "search results": reverse("annotations:search") + "?q=Paragraph",
        "search for a payload": reverse("annotations:search") + "?q=" + PAYLOADS[5].replace("<", "%3C"),
    }
    outcomes = {}
    for name, url in pages.items():
        assert page.goto(f"{live_server.url}{url}").status == 200, name
        if found := ran(page):
            outcomes[name] = found
    assert outcomes == {}
    page.goto(f"{live_server.url}{xss.article.get_absolute_url()}")
    expect(page.locator(".article-body")).to_contain_text(PAYLOADS[2])  # shown as the text it is
    expect(page.locator(".note-list")).to_contain_text(PAYLOADS[1])


def test_the_editors_pages_with_every_payload_run_nothing_even_after_a_note_through_the_protocol(
    watched, live_server, xss
):
    page = watched
    sign_in(page, live_server, "xss-reviewer")
    outcomes = {}
    page.goto(f"{live_server.url}{reverse('editor:dashboard')}")
    if found := ran(page):
        outcomes["dashboard"] = found
    page.goto(workspace_url(live_server, xss.article))
    if found := ran(page):
        outcomes["workspace"] = found

    # A note whose body is a payload, through the toolbar and the protocol: the panel is then
    # rebuilt from fetched HTML, the path where an unescaped body would come alive.
    page.reload()  # a fresh page: the keys pressed above moved focus and selection about
    select_with_mouse(page, "named")
    page.get_by_role("toolbar").get_by_role("button", name="Comment").click()
    page.get_by_label("Note", exact=True).fill(PAYLOADS[1] + PAYLOADS[0])
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Comment added.")
    expect(page.locator(".annotation-body", has_text=PAYLOADS[1] + PAYLOADS[0])).to_be_visible()
    if found := ran(page):
        outcomes["workspace after a note"] = found
    # Entity suggestions while typing: names full of markup become <option>s, as text.
    page.reload()
    select_with_mouse(page, "glossary")
    page.get_by_role("toolbar").get_by_role("button", name="Tag entity").click()
    page.get_by_label("Entity (name or alias)").fill("Entity 1")
    expect(page.locator("#entity-choices option").first).to_be_attached()
    options = page.evaluate("[...document.querySelectorAll('#entity-choices option')].map((o) => o.value)")
    assert xss.entities[1].name in options
    if found := ran(page):
        outcomes["workspace with entity suggestions"] = found
    assert outcomes == {}


def test_the_watchers_see_a_payload_that_runs(watched):
    """On a page without our policy, an unescaped payload runs: the checks above would have said so."""
    page = watched
    page.goto("about:blank")
    page.set_content(f"<p>{PAYLOADS[1]}</p><p>{PAYLOADS[10]}</p><button onclick=\"alert('x')\">b</button>")
    page.click("button")
    found = ran(page)
    assert found["xss"] in (2, 11) and "img[onerror]" in found["injected"] and found["dialogs"] == ["alert(x)"]
