"""What the browser journeys do again and again: sign in, select words with the mouse."""

from django.urls import reverse

PASSWORD = "a-long-test-password"  # tests.factories.make_member's

# The first (or n-th) text node of the article text containing `word`, scrolled into view, and the
# viewport coordinates of the middle of its first and last characters' edges.
WORD_BOX = """([word, occurrence]) => {
  const walker = document.createTreeWalker(document.getElementById('article-text'), NodeFilter.SHOW_TEXT);
  let seen = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('.visually-hidden')) continue;
    let at = node.data.indexOf(word);
    while (at >= 0 && ++seen < occurrence) at = node.data.indexOf(word, at + 1);
    if (at < 0) continue;
    node.parentElement.scrollIntoView({block: 'center'});
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    const first = range.getBoundingClientRect();
    range.setStart(node, at + word.length - 1); range.setEnd(node, at + word.length);
    const last = range.getBoundingClientRect();
    return {x0: first.left + 1, x1: last.right - 1, y: (first.top + first.bottom) / 2};
  }
  return null;
}"""


def sign_in(page, live_server, username: str, *, next_url: str = "") -> None:
    page.goto(f"{live_server.url}{reverse('login')}{'?next=' + next_url if next_url else ''}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def select_with_mouse(page, word: str, occurrence: int = 1) -> None:
    """Drag the mouse over `word` in the article text, as an editor would."""
    box = page.evaluate(WORD_BOX, [word, occurrence])
    assert box, f"{word!r} is not in the article text"
    page.mouse.move(box["x0"], box["y"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y"], steps=4)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()") == word


def workspace_url(live_server, article) -> str:
    return f"{live_server.url}{reverse('editor:workspace', args=[article.slug])}"


def expect_console_error(errors: list, fragment: str) -> None:
    """Assert that the browser logged an error containing `fragment` (e.g. a refused request) and forget it."""
    expected = [error for error in errors if fragment in error]
    assert expected, f"no console error contains {fragment!r}: {errors}"
    errors[:] = [error for error in errors if fragment not in error]
