"""Every URL pattern × (anonymous, editor, reviewer, admin) × every method its view accepts.

The patterns come from the URL resolver: a new pattern without an entry in POLICIES, or a view that
starts accepting a method no probe sends, fails `test_every_url_pattern_has_a_declared_policy`
naming it. `admin/` is one group, checked by the tests at the end.

Each probe names the outcome per role ("200", "200 json", "401 json", "403", "404", "405",
"login" for a redirect to a sign-in page, "redirect" for any other) and, for writes, a `state`
of the database that must change for the roles in `changes` and stay as it was for every other
role. Each role's request runs in a savepoint rolled back afterwards, so one archive serves every
role of a pattern and no role sees another's writes.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib import admin as django_admin
from django.core import mail
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.edit import ProcessFormView

from annotations import jsonld
from annotations.models import Annotation, Correction, EntitySuggestion, ExternalLink
from archive.models import Article, Original, Revision
from tests.security.conftest import ROLES, World

pytestmark = pytest.mark.django_db

LOGIN, REDIRECT = "login", "redirect"
JSON_TYPES = {"application/json", "application/ld+json"}
WRITE_METHODS = ("post", "put", "patch", "delete")


# --------------------------------------------------------------------------- the resolver


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    view: Any

    def methods(self) -> set[str]:
        """GET and the write methods the view has a handler for (FormView's PUT alias of POST left out)."""
        view_class = getattr(self.view, "view_class", None)
        if view_class is None:  # function views here are read-only (healthz: require_safe)
            return {"get"}
        found = {"get"}
        for method in WRITE_METHODS:
            handler = getattr(view_class, method, None)
            if handler is None or method not in view_class.http_method_names:
                continue
            if method == "put" and handler is ProcessFormView.put:
                continue
            found.add(method)
        return found


def walk(patterns, prefix: str = "", namespace: str = ""):
    """Yield a Route for every pattern, and one for the whole admin (named "admin", without a view)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                yield Route(prefix + str(pattern.pattern), "admin", None)
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else ""
            yield Route(prefix + str(pattern.pattern), name, pattern.callback)


def routes() -> dict[str, Route]:
    found: dict[str, Route] = {}
    for route in walk(get_resolver().url_patterns):
        found.setdefault(route.route, route)  # the resolver answers with the first of identical routes
    return found


# --------------------------------------------------------------------------- policies


def by_role(anonymous: str, editor: str, reviewer: str | None = None, admin: str | None = None) -> dict[str, str]:
    """Outcomes per role; the reviewer does what the editor does, and the admin what the reviewer does, unless said."""
    reviewer = reviewer or editor
    return {"anonymous": anonymous, "editor": editor, "reviewer": reviewer, "admin": admin or reviewer}


def everyone(outcome: str) -> dict[str, str]:
    return by_role(outcome, outcome)


@dataclass(frozen=True)
class Probe:
    method: str
    expect: dict[str, str]
    label: str = ""
    #: URL kwargs instead of the policy's (e.g. a draft's slug).
    kwargs: Callable[[World], dict] | None = None
    query: str = ""
    data: Callable[[World], Any] | None = None
    #: Send `data` as JSON-LD (the annotation protocol) instead of a form.
    as_json: bool = False
    headers: Callable[[World], dict] | None = None
    #: What the request may change, read before and after it.
    state: Callable[[World], Any] | None = None
    #: The roles whose request must change `state`; it must stay the same for every other role.
    changes: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.label}".strip()


@dataclass(frozen=True)
class Policy:
    probes: list[Probe]
    kwargs: Callable[[World], dict] = field(default=lambda w: {})


def seed_slug(w: World) -> dict:
    return {"slug": w.seed.slug}


def draft_slug(w: World) -> dict:
    return {"slug": w.draft.slug}


def public_read(*, draftable: bool = False, kind: str = "200") -> list[Probe]:
    """GET for everyone; with `draftable`, the draft's page too: 404 for anonymous readers only."""
    probes = [Probe("get", everyone(kind), "published" if draftable else "")]
    if draftable:
        not_found = "404 json" if kind.endswith("json") else "404"
        probes.append(Probe("get", by_role(not_found, kind), "draft", kwargs=draft_slug))
    return probes


def editor_page() -> list[Probe]:
    return [Probe("get", by_role(LOGIN, "200"))]


def not_a_page(refused: str = "405") -> Probe:
    """GET on a POST-only editor URL: anonymous readers are sent to sign in, others get 405."""
    return Probe("get", by_role(LOGIN, refused, "405"))


def editor_write(data: Callable[[World], dict], state: Callable[[World], Any], label: str = "") -> Probe:
    """A form POST every editor may send: anonymous readers are sent to sign in and change nothing."""
    return Probe(
        "post",
        by_role(LOGIN, REDIRECT),
        label,
        data=data,
        state=state,
        changes=frozenset({"editor", "reviewer", "admin"}),
    )


def reviewer_write(data: Callable[[World], dict], state: Callable[[World], Any], label: str = "") -> Probe:
    """A form POST only reviewers may send: editors get 403 and change nothing."""
    return Probe(
        "post", by_role(LOGIN, "403", REDIRECT), label, data=data, state=state, changes=frozenset({"reviewer", "admin"})
    )


def count(model, **filters) -> Callable[[World], int]:
    return lambda w: model.objects.filter(**filters).count()


def annotation_row(attribute: str) -> Callable[[World], Any]:
    def read(w: World):
        pk = getattr(w, attribute).pk
        return Annotation.objects.filter(pk=pk).values_list("status", "version", "body_value").first()

    return read


def correction_state(w: World) -> str:
    return Correction.objects.get(pk=w.correction.pk).state


def current_revision(w: World) -> int:
    return Article.objects.filter(pk=w.seed.pk).values_list("current_revision__number", flat=True).get()


def passwords(w: World) -> list[str]:
    return [user.password for user in (w.user(role) for role in ROLES) if user is not None]


def upload(publish: bool) -> Callable[[World], dict]:
    def data(w: World) -> dict:
        text = b"A new report from the matrix\n\nIts only paragraph, with enough words to read.\n"
        return {"files": SimpleUploadedFile("matrix.txt", text, "text/plain"), "publish": "on" if publish else ""}

    return data


def passage(prefix: str = "", **fields) -> Callable[[World], dict]:
    return lambda w: {f"{prefix}{name}": value for name, value in fields.items()}


def annotation_kwargs(attribute: str, *, slug: bool) -> Callable[[World], dict]:
    def kwargs(w: World) -> dict:
        annotation = getattr(w, attribute)
        return {"pk": annotation.pk} | ({"slug": annotation.article.slug} if slug else {})

    return kwargs


def replacement(attribute: str) -> Callable[[World], dict]:
    """The annotation's JSON-LD with a new body: what a client PUTs."""

    def data(w: World) -> dict:
        annotation = Annotation.objects.select_related("article", "creator").get(pk=getattr(w, attribute).pk)
        described = jsonld.annotation_to_jsonld(annotation, jsonld.Links.for_base("http://testserver"))
        return described | {"body": {"type": "TextualBody", "value": "Changed by the matrix", "format": "text/plain"}}

    return data


def if_match(attribute: str) -> Callable[[World], dict]:
    return lambda w: {"If-Match": Annotation.objects.get(pk=getattr(w, attribute).pk).etag}


def new_annotation(w: World) -> dict:
    text = w.seed.current_revision.text
    start = text.index("Kremlin")
    return {
        "@context": jsonld.ANNO_CONTEXT,
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": "Posted by the matrix", "format": "text/plain"},
        "target": {
            "source": f"http://testserver{w.seed.get_absolute_url()}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "Kremlin"},
                {"type": "TextPositionSelector", "start": start, "end": start + len("Kremlin")},
            ],
        },
    }


def authors_action(action: str) -> Probe:
    """A workspace action on the editor's editors-only note: done for its author and a superuser only."""
    return Probe(
        "post",
        by_role(LOGIN, REDIRECT),
        action,
        data=lambda w: {"action": action, "version": w.editors_note.version},
        state=annotation_row("editors_note"),
        changes=frozenset({"editor", "admin"}),
    )


def annotation_resource(*, slug: bool) -> Policy:
    """/annotations/<pk> and /articles/<slug>/annotations/<pk>: the same resource, the same rules."""
    editors_only = annotation_row("editors_note")
    return Policy(
        kwargs=annotation_kwargs("public_note", slug=slug),
        probes=[
            Probe("get", everyone("200 json"), "public note"),
            Probe(
                "get",
                by_role("404 json", "200 json"),
                "editors' note",
                kwargs=annotation_kwargs("editors_note", slug=slug),
            ),
            Probe(
                "get",
                by_role("404 json", "200 json", "404 json"),
                "private note (the editor's)",
                kwargs=annotation_kwargs("private_note", slug=slug),
            ),
            Probe(
                "get",
                by_role("404 json", "200 json"),
                "public note on a draft",
                kwargs=annotation_kwargs("draft_note", slug=slug),
            ),
            # The editor wrote the note; a reviewer is not its author; a superuser may change anyone's.
            Probe(
                "put",
                by_role("401 json", "200 json", "403 json", "200 json"),
                "editors' note",
                kwargs=annotation_kwargs("editors_note", slug=slug),
                data=replacement("editors_note"),
                as_json=True,
                headers=if_match("editors_note"),
                state=editors_only,
                changes=frozenset({"editor", "admin"}),
            ),
            Probe(
                "delete",
                by_role("401 json", "204", "403 json", "204"),
                "editors' note",
                kwargs=annotation_kwargs("editors_note", slug=slug),
                state=editors_only,
                changes=frozenset({"editor", "admin"}),
            ),
        ],
    )


POLICIES: dict[str, Policy] = {
    "healthz": Policy(public_read(kind="200 json")),
    "robots.txt": Policy(public_read()),
    "sitemap.xml": Policy(public_read()),
    "sitemap-<section>.xml": Policy(public_read(), kwargs=lambda w: {"section": "articles"}),
    # ---- accounts (Django's auth views; sign-in throttled)
    "accounts/login/": Policy(
        [
            Probe("get", everyone("200")),
            Probe("post", everyone("200"), "wrong password", data=passage(username="editor", password="wrong")),
        ]
    ),
    "accounts/logout/": Policy([Probe("get", everyone("405")), Probe("post", everyone(REDIRECT))]),
    "accounts/password_change/": Policy(
        [
            *editor_page(),
            Probe(
                "post",
                by_role(LOGIN, "200"),
                "wrong old password",
                data=passage(old_password="wrong", new_password1="x-Very-long-1", new_password2="x-Very-long-1"),
                state=passwords,
            ),
        ]
    ),
    "accounts/password_change/done/": Policy(editor_page()),
    "accounts/password_reset/": Policy(
        [
            Probe("get", everyone("200")),
            Probe(
                "post",
                everyone(REDIRECT),
                "unknown address",
                data=passage(email="nobody@example.org"),
                state=lambda w: len(mail.outbox),
            ),
        ]
    ),
    "accounts/password_reset/done/": Policy(public_read()),
    "accounts/reset/<uidb64>/<token>/": Policy(
        kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
        probes=[
            Probe("get", everyone("200")),
            Probe(
                "post",
                everyone("200"),
                "invalid link",
                data=passage(new_password1="x-Very-long-1", new_password2="x-Very-long-1"),
                state=passwords,
            ),
        ],
    ),
    "accounts/reset/done/": Policy(public_read()),
    # ---- the editor's pages and forms
    "editor/": Policy(editor_page()),
    "editor/upload/": Policy(
        [
            *editor_page(),
            editor_write(upload(publish=False), count(Article), "import"),
            # Publishing is for reviewers: an editor's import stays a draft.
            Probe(
                "post",
                by_role(LOGIN, REDIRECT),
                "import and publish",
                data=upload(publish=True),
                state=count(Article, status="published"),
                changes=frozenset({"reviewer", "admin"}),
            ),
        ]
    ),
    "editor/review/": Policy(
        [
            not_a_page(refused="403"),
            reviewer_write(
                lambda w: {"corrections": [w.correction.pk], "decision": "accept"}, correction_state, "accept"
            ),
            reviewer_write(
                lambda w: {"corrections": [w.correction.pk], "decision": "reject"}, correction_state, "reject"
            ),
        ]
    ),
    "editor/review/suggestions/": Policy(
        [
            not_a_page(refused="403"),
            reviewer_write(
                lambda w: {"suggestions": [w.suggestion.pk], "decision": "confirm"},
                lambda w: EntitySuggestion.objects.get(pk=w.suggestion.pk).state,
                "confirm",
            ),
        ]
    ),
    "editor/entities/lookup/": Policy([Probe("get", by_role(LOGIN, "200 json"), query="q=Luka")]),
    "editor/articles/lookup/": Policy([Probe("get", by_role(LOGIN, "200 json"), query="q=Belarus")]),
    "editor/articles/<slug:slug>/": Policy(
        kwargs=seed_slug,
        probes=[
            Probe("get", by_role(LOGIN, "200"), "published"),
            Probe("get", by_role(LOGIN, "200"), "draft", kwargs=draft_slug),
        ],
    ),
    "editor/articles/<slug:slug>/notes/": Policy(
        kwargs=seed_slug,
        probes=[
            not_a_page(),
            editor_write(
                passage(quote="Vladimir Putin", body="From the matrix", motivation="commenting", visibility="editors"),
                count(Annotation),
            ),
        ],
    ),
    "editor/articles/<slug:slug>/corrections/": Policy(
        kwargs=seed_slug,
        probes=[
            not_a_page(),
            editor_write(
                passage("correction-", quote="Kremlin", replacement="the Kremlin", category="style", severity="minor"),
                count(Correction),
            ),
        ],
    ),
    "editor/articles/<slug:slug>/entities/": Policy(
        kwargs=seed_slug,
        probes=[
            not_a_page(),
            editor_write(
                passage("entity-", quote="Vladimir Putin", entity="Vladimir Putin", kind="person"),
                count(Annotation, motivation="identifying"),
            ),
        ],
    ),
    "editor/articles/<slug:slug>/links/": Policy(
        kwargs=seed_slug,
        probes=[
            not_a_page(),
            editor_write(
                passage("link-", url="https://example.org/matrix", title="Matrix", kind="background"),
                count(ExternalLink),
            ),
        ],
    ),
    "editor/articles/<slug:slug>/annotations/<int:pk>/": Policy(
        kwargs=annotation_kwargs("editors_note", slug=True),
        probes=[
            not_a_page(),
            # Only the author (or a superuser) resolves or deletes a note; a reviewer is told so.
            authors_action("resolve"),
            authors_action("delete"),
            # Someone else's private note does not exist for them.
            Probe(
                "post",
                by_role(LOGIN, REDIRECT, "404"),
                "reply to the editor's private note",
                kwargs=annotation_kwargs("private_note", slug=True),
                data=lambda w: {"action": "reply", "version": w.private_note.version, "body": "Me too"},
                state=count(Annotation, parent__isnull=False),
                changes=frozenset({"editor"}),
            ),
        ],
    ),
    # ---- public pages
    "": Policy(public_read()),
    "articles/<slug:slug>/": Policy(kwargs=seed_slug, probes=public_read(draftable=True)),
    "articles/<slug:slug>/original/": Policy(kwargs=seed_slug, probes=public_read(draftable=True)),
    "articles/<slug:slug>/revisions/": Policy(kwargs=seed_slug, probes=public_read(draftable=True)),
    "articles/<slug:slug>/diff/": Policy(kwargs=seed_slug, probes=public_read(draftable=True)),
    "articles/<slug:slug>/revisions/<int:number>/restore/": Policy(
        kwargs=lambda w: {"slug": w.seed.slug, "number": 1},
        probes=[
            not_a_page(refused="403"),
            reviewer_write(lambda w: {"base": current_revision(w)}, current_revision, "revision 1"),
        ],
    ),
    "entities/": Policy(public_read()),
    "entities/<str:slug>/": Policy(kwargs=lambda w: {"slug": w.entity.slug}, probes=public_read()),
    "tags/<str:slug>/": Policy(kwargs=lambda w: {"slug": w.tag_slug}, probes=public_read()),
    "search": Policy([Probe("get", everyone("200"), query="q=Lukashenko")]),
    # ---- the Web Annotation Protocol: JSON only, never a sign-in page
    "annotations/": Policy(public_read(kind="200 json")),
    "annotations/<int:pk>": annotation_resource(slug=False),
    "articles/<slug:slug>/annotations/": Policy(
        kwargs=seed_slug,
        probes=[
            *public_read(draftable=True, kind="200 json"),
            Probe(
                "post",
                by_role("401 json", "201 json"),
                data=new_annotation,
                as_json=True,
                state=count(Annotation),
                changes=frozenset({"editor", "reviewer", "admin"}),
            ),
        ],
    ),
    "articles/<slug:slug>/annotations/<int:pk>": annotation_resource(slug=True),
}


# --------------------------------------------------------------------------- running probes


def outcome(response) -> str:
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        return LOGIN if path in (reverse("login"), reverse("admin:login")) else REDIRECT
    media_type = response.get("Content-Type", "").split(";")[0]
    return f"{response.status_code} json" if media_type in JSON_TYPES else str(response.status_code)


def send(client: Client, probe: Probe, url: str, w: World, *, csrf_token: str = ""):
    """Send the probe's request; with `csrf_token`, as a page or script of ours would (form field or header)."""
    data = probe.data(w) if probe.data else None
    headers = probe.headers(w) if probe.headers else {}
    if probe.query:
        url = f"{url}?{probe.query}"
    method = getattr(client, probe.method)
    if csrf_token and (probe.as_json or probe.method != "post"):
        headers["X-CSRFToken"] = csrf_token
    elif csrf_token:
        data = (data or {}) | {"csrfmiddlewaretoken": csrf_token}
    if probe.as_json:
        return method(url, json.dumps(data), content_type=jsonld.MEDIA_TYPE, headers=headers)
    if probe.method in ("put", "delete") or not data:
        return method(url, headers=headers)
    return method(url, data, headers=headers)


def attempt(probe: Probe, role: str, url: str, w: World) -> str:
    """The outcome of the probe for `role` (with "+changed" when it changed its state), then rolled back."""
    for cache in caches.all():
        cache.clear()
    client = Client()
    if w.user(role) is not None:
        client.force_login(w.user(role))
    with transaction.atomic():
        before = probe.state(w) if probe.state else None
        got = outcome(send(client, probe, url, w))
        if probe.state and probe.state(w) != before:
            got += " +changed"
        transaction.set_rollback(True)
    return got


def expected(probe: Probe, role: str) -> str:
    return probe.expect[role] + (" +changed" if role in probe.changes else "")


@pytest.mark.parametrize("route", sorted(POLICIES))
def test_the_permission_matrix(route, world):
    found = routes()
    assert route in found, f"the policy for {route!r} names a URL pattern that no longer exists"
    policy = POLICIES[route]
    got, wanted = {}, {}
    for probe in policy.probes:
        kwargs = (probe.kwargs or policy.kwargs)(world)
        url = reverse(found[route].name, kwargs=kwargs)
        for role in ROLES:
            got[(probe.key, role)] = attempt(probe, role, url, world)
            wanted[(probe.key, role)] = expected(probe, role)
    assert got == wanted


def test_every_url_pattern_has_a_declared_policy():
    found = routes()
    missing = sorted(set(found) - set(POLICIES) - {"admin/"})
    assert not missing, f"URL patterns without a policy in POLICIES (declare who may do what): {missing}"
    assert "admin/" in found, "the admin is checked as a group by the tests below"
    unprobed = {}
    for route, policy in POLICIES.items():
        probed = {probe.method for probe in policy.probes}
        if probed != found[route].methods():
            unprobed[route] = sorted(found[route].methods() ^ probed)
    assert not unprobed, f"methods a view accepts without a probe (or probes of methods it lacks): {unprobed}"


# --------------------------------------------------------------------------- the admin, as one group


def admin_urls() -> list[str]:
    """The admin index and the change list of every registered model."""
    return [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in django_admin.site._registry
    ]


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_staff_only(client, world, role):
    if world.user(role) is not None:
        client.force_login(world.user(role))
    outcomes = {url: outcome(client.get(url)) for url in admin_urls()}
    want = "200" if role == "admin" else LOGIN
    assert outcomes == dict.fromkeys(outcomes, want)


def original_urls(original: Original) -> dict[str, str]:
    ids = {"object_id": original.pk}
    return {
        "add": reverse("admin:archive_original_add"),
        "change": reverse("admin:archive_original_change", kwargs=ids),
        "delete": reverse("admin:archive_original_delete", kwargs=ids),
        "history": reverse("admin:archive_original_history", kwargs=ids),
    }


def original_state(article: Article) -> list[tuple]:
    return list(article.originals.order_by("pk").values_list("pk", "filename", "content", "sha256"))


def test_nobody_changes_or_deletes_an_original_through_the_admin_not_even_a_superuser(client, world):
    article, superuser = world.seed, world.user("admin")
    original, before = article.originals.get(), original_state(article)
    client.force_login(superuser)
    urls = original_urls(original)
    form = {"filename": "changed.txt", "encoding": "latin-1", "article": article.pk}
    outcomes = {
        "view": outcome(client.get(urls["change"])),
        "history": outcome(client.get(urls["history"])),
        "change": outcome(client.post(urls["change"], form)),
        "delete page": outcome(client.get(urls["delete"])),
        "delete": outcome(client.post(urls["delete"], {"post": "yes"})),
        "add page": outcome(client.get(urls["add"])),
        "add": outcome(client.post(urls["add"], form)),
    }
    assert outcomes == {
        "view": "200",
        "history": "200",
        "change": "403",
        "delete page": "403",
        "delete": "403",
        "add page": "403",
        "add": "403",
    }
    changelist = reverse("admin:archive_original_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [original.pk], "post": "yes"})
    assert "delete_selected" not in client.get(changelist).content.decode()
    assert original_state(article) == before


def test_deleting_an_article_never_takes_its_original_along(client, world):
    """An article with an original cannot be deleted, in the admin or in bulk; the original stays."""
    article, before = world.seed, original_state(world.seed)
    client.force_login(world.user("admin"))
    delete = reverse("admin:archive_article_delete", kwargs={"object_id": article.pk})
    page = client.get(delete)
    assert page.status_code == 200 and "Cannot delete article" in page.content.decode()
    client.post(delete, {"post": "yes"})
    client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert Article.objects.filter(pk=article.pk).exists() and original_state(article) == before


def test_revisions_cannot_be_changed_or_deleted_in_the_admin_either(client, world):
    revision = world.seed.revisions.get(number=1)
    before = (revision.blocks, revision.message)
    client.force_login(world.user("admin"))
    ids = {"object_id": revision.pk}
    change = reverse("admin:archive_revision_change", kwargs=ids)
    delete = reverse("admin:archive_revision_delete", kwargs=ids)
    assert client.post(change, {"message": "rewritten"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    revision = Revision.objects.get(pk=revision.pk)
    assert (revision.blocks, revision.message) == before
