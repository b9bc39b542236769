"""Who may open and post to every editor URL: anonymous, a signed-in reader, an editor, a reviewer, an admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from annotations.anchoring import Selectors
from annotations.services.annotating import annotation_create
from annotations.services.corrections import correction_propose
from tests.factories import import_seed, make_member

pytestmark = pytest.mark.django_db

SIGN_IN, REFUSED, OPEN = "sign in", "refused", "open"
#: (method, URL name, needs the article slug, needs an annotation pk, who is refused among the signed-in)
EDITOR_URLS = [
    ("get", "dashboard", False, False, {"reader"}),
    ("get", "upload", False, False, {"reader"}),
    ("post", "upload", False, False, {"reader"}),
    ("get", "entity_lookup", False, False, {"reader"}),
    ("get", "article_lookup", False, False, {"reader"}),
    ("post", "review", False, False, {"reader", "editor"}),
    ("post", "suggestions_review", False, False, {"reader", "editor"}),
    ("get", "workspace", True, False, {"reader"}),
    ("post", "note_create", True, False, {"reader"}),
    ("post", "correction_create", True, False, {"reader"}),
    ("post", "entity_tag", True, False, {"reader"}),
    ("post", "link_create", True, False, {"reader"}),
    ("post", "annotation_action", True, True, {"reader"}),
]
ROLES = ["anonymous", "reader", "editor", "reviewer", "admin"]


@pytest.fixture
def users():
    User = get_user_model()
    return {
        "reader": User.objects.create_user("reader", password="a-long-test-password"),
        "editor": make_member("editor", "Editor"),
        "reviewer": make_member("reviewer", "Reviewer"),
        "admin": User.objects.create_superuser("admin", password="a-long-test-password"),
    }


def expected(role: str, refused: set[str]) -> str:
    if role == "anonymous":
        return SIGN_IN
    return REFUSED if role in refused else OPEN


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return SIGN_IN
    return REFUSED if response.status_code == 403 else OPEN


@pytest.mark.parametrize("role", ROLES)
def test_every_editor_url_lets_in_exactly_who_it_should(client, users, role):
    article = import_seed(publish=False)
    note = annotation_create(
        article=article, creator=users["editor"], motivation="commenting", selectors=Selectors(exact="Belchett")
    )
    if role != "anonymous":
        client.force_login(users[role])
    seen = {}
    for method, name, with_slug, with_pk, refused in EDITOR_URLS:
        args = ([article.slug] if with_slug else []) + ([note.pk] if with_pk else [])
        response = getattr(client, method)(reverse(f"editor:{name}", args=args))
        seen[(method, name)] = (outcome(response), expected(role, refused))
    assert {key: got for key, (got, _) in seen.items()} == {key: want for key, (_, want) in seen.items()}


def test_only_reviewers_see_accept_and_reject_in_the_workspace(client, users):
    article = import_seed(publish=False)
    start = article.current_revision.text.index("Belchett")
    span = (start, start + len("Belchett"))
    correction_propose(
        article=article, proposer=users["editor"], replacement="Bachelet", category="terminology", span=span
    )
    url = reverse("editor:workspace", args=[article.slug])
    client.force_login(users["editor"])
    assert "Accept</button>" not in client.get(url).content.decode()
    client.force_login(users["reviewer"])
    html = client.get(url).content.decode()
    assert 'value="accept" class="primary">Accept</button>' in html and "I review my own correction" not in html
