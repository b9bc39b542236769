"""CSRF on every form and every session-authenticated write: refused (403) without a token, changing nothing.

The writes are the permission matrix's own (every probe that changes something for some role), so a
new write declared there is checked here too; the account forms (sign in and out, passwords) and the
admin, which change the session or users rather than the archive, are checked one by one below.
"""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from annotations.models import Entity
from tests.security.test_permission_matrix import POLICIES, Probe, routes, send

pytestmark = pytest.mark.django_db

WRITES = [
    (route, probe)
    for route, policy in sorted(POLICIES.items())
    for probe in policy.probes
    if probe.method != "get" and probe.changes
]


def writer(probe: Probe) -> str:
    """A role the write works for."""
    return next(role for role in ("editor", "reviewer", "admin") if role in probe.changes)


def strict_client(user=None) -> tuple[Client, str]:
    """A client that gets no CSRF exemption, signed in as `user`, and the token a page of ours would give it."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(reverse("login"))
    return client, client.cookies["csrftoken"].value


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize(("route", "probe"), WRITES, ids=[f"{route} {probe.key}" for route, probe in WRITES])
def test_a_write_without_the_token_is_refused_and_with_it_goes_through(world, route, probe):
    client, token = strict_client(world.user(writer(probe)))
    policy = POLICIES[route]
    url = reverse(routes()[route].name, kwargs=(probe.kwargs or policy.kwargs)(world))
    before = probe.state(world)
    refused = send(client, probe, url, world)
    assert refused.status_code == 403 and probe.state(world) == before
    if probe.as_json or probe.method != "post":  # the annotation protocol answers in JSON, even here
        assert refused["Content-Type"] == "application/json" and "CSRF" in refused.json()["error"]
    accepted = send(client, probe, url, world, csrf_token=token)
    assert accepted.status_code in (200, 201, 204, 302) and probe.state(world) != before


def test_signing_in_needs_the_token(world):
    client, token = strict_client()
    data = {"username": "editor", "password": "a-long-test-password"}
    assert client.post(reverse("login"), data).status_code == 403 and not signed_in(client)
    assert client.post(reverse("login"), data | {"csrfmiddlewaretoken": token}).status_code == 302
    assert signed_in(client)


def test_signing_out_needs_the_token(world):
    client, token = strict_client(world.user("editor"))
    assert client.post(reverse("logout")).status_code == 403 and signed_in(client)
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert not signed_in(client)


def test_changing_a_password_needs_the_token(world):
    editor = world.user("editor")
    client, token = strict_client(editor)
    data = {
        "old_password": "a-long-test-password",
        "new_password1": "Another-long-1",
        "new_password2": "Another-long-1",
    }
    assert client.post(reverse("password_change"), data).status_code == 403
    assert get_user_model().objects.get(pk=editor.pk).check_password("a-long-test-password")
    assert client.post(reverse("password_change"), data | {"csrfmiddlewaretoken": token}).status_code == 302
    assert get_user_model().objects.get(pk=editor.pk).check_password("Another-long-1")


def test_asking_for_a_password_reset_needs_the_token(world):
    editor = world.user("editor")
    editor.email = "editor@example.org"
    editor.save(update_fields=["email"])
    client, token = strict_client()
    data = {"email": "editor@example.org"}
    assert client.post(reverse("password_reset"), data).status_code == 403 and mail.outbox == []
    assert client.post(reverse("password_reset"), data | {"csrfmiddlewaretoken": token}).status_code == 302
    assert len(mail.outbox) == 1


def test_the_admin_forms_need_the_token(world):
    client, token = strict_client()
    data = {"username": "admin", "password": "a-long-test-password", "next": reverse("admin:index")}
    assert client.post(reverse("admin:login"), data).status_code == 403 and not signed_in(client)
    client, token = strict_client(world.user("admin"))
    entity = world.entity
    change = reverse("admin:annotations_entity_change", args=[entity.pk])
    form = {"name": entity.name, "slug": entity.slug, "kind": entity.kind, "aliases": '["Lukashenka"]'}
    assert client.post(change, form | {"description": "Changed without a token"}).status_code == 403
    assert Entity.objects.get(pk=entity.pk).description == ""
    assert client.post(change, form | {"description": "Changed", "csrfmiddlewaretoken": token}).status_code == 302
    assert Entity.objects.get(pk=entity.pk).description == "Changed"
