import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from archive.models import Original
from tests.factories import import_seed

pytestmark = pytest.mark.django_db


def form_data(html: str) -> dict[str, str]:
    """The values a browser would submit from the admin change form (inputs, selected options)."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and "__prefix__" not in name.group(1) and 'type="submit"' not in tag:
            if 'type="checkbox"' in tag and "checked" not in tag:
                continue
            data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        if "__prefix__" not in name:
            data[name] = selected.group(1) if selected else ""
    return data


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", password="a-long-test-password"))
    return client


def test_an_admin_edit_of_the_headline_reaches_the_cached_public_page(client, admin_client):
    article = import_seed()
    assert "Belarus riots" in client.get(article.get_absolute_url()).content.decode()  # cached now
    url = reverse("admin:archive_article_change", args=[article.pk])
    form = form_data(admin_client.get(url).content.decode()) | {"headline": "Belarus: a new headline"}
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Belarus: a new headline" in client.get(article.get_absolute_url()).content.decode()


def test_status_is_not_editable_in_the_form_and_originals_are_read_only(admin_client):
    article = import_seed(publish=False)
    html = admin_client.get(reverse("admin:archive_article_change", args=[article.pk])).content.decode()
    assert 'name="status"' not in html
    original = article.originals.get()
    assert admin_client.get(reverse("admin:archive_original_change", args=[original.pk])).status_code == 200
    assert (
        admin_client.post(reverse("admin:archive_original_delete", args=[original.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Original.objects.filter(pk=original.pk).exists()


def test_an_admin_edit_is_audited_with_the_fields_before_and_after(admin_client):
    from audit.models import AuditEntry
    from audit.services import audit_verify

    article = import_seed()
    url = reverse("admin:archive_article_change", args=[article.pk])
    form = form_data(admin_client.get(url).content.decode()) | {"headline": "Audited headline"}
    assert admin_client.post(url, form).status_code == 302
    entry = AuditEntry.objects.filter(action="article.edit").get()
    assert entry.actor.username == "root" and entry.target_id == str(article.pk)
    assert entry.before == {"headline": article.headline} and entry.after == {"headline": "Audited headline"}
    assert audit_verify() == []
