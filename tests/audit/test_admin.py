"""The audit log in the admin: readable by administrators, never added to, changed or deleted."""

import pytest
from django.urls import reverse

from archive.services import article_publish
from audit.models import AuditEntry
from tests.factories import import_seed, make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = make_user("admin", staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def test_the_list_shows_actor_action_and_target_with_flat_queries(admin_client, django_assert_max_num_queries):
    editor = make_user("editor")
    article = import_seed(publish=False)
    article_publish(article=article, actor=editor)
    url = reverse("admin:audit_auditentry_changelist")
    with django_assert_max_num_queries(12) as few:
        response = admin_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "article.publish" in body and "editor" in body and "(system)" in body and article.headline[:30] in body
    for n in range(20):
        article_publish(article=make_article(f"Report {n}"), actor=editor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_the_detail_shows_before_and_after_and_offers_no_change(admin_client):
    article = import_seed(publish=False)
    article_publish(article=article, actor=make_user("editor"))
    entry = AuditEntry.objects.get(action="article.publish")
    response = admin_client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "&quot;status&quot;: &quot;draft&quot;" in body and "&quot;status&quot;: &quot;published&quot;" in body
    assert 'name="_save"' not in body and "deletelink" not in body
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_search_and_filter(admin_client):
    article = import_seed(publish=False)
    article_publish(article=article, actor=make_user("editor"))
    url = reverse("admin:audit_auditentry_changelist")
    assert admin_client.get(url, {"q": "editor"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"action": "article.import"}).context["cl"].result_count == 1
