"""The editor's workspace without JavaScript: dashboard, upload, notes, replies, conflicts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from annotations.services.revising import article_revise
from archive.models import Article
from tests.factories import import_seed, make_article, make_member, seed_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return import_seed(publish=False)


@pytest.fixture
def editor_client(client):
    client.force_login(make_member("ed", "Editor"))
    return client


def workspace(slug):
    return reverse("editor:workspace", args=[slug])


def test_anonymous_users_are_sent_to_sign_in_and_readers_get_403(client, seed):
    response = client.get(workspace(seed.slug))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(make_member("x", "Editor").__class__.objects.create_user("reader", password="pw-long-enough"))
    assert client.get(workspace(seed.slug)).status_code == 403
    assert client.get(reverse("editor:dashboard")).status_code == 403


def test_dashboard_lists_drafts_with_counts_in_flat_queries(editor_client, seed, django_assert_max_num_queries):
    post_note(editor_client, seed, "Belchett")
    with django_assert_max_num_queries(8) as baseline:
        html = editor_client.get(reverse("editor:dashboard")).content.decode()
    baseline_count = len(baseline.captured_queries)  # requests reset Django's query log: count now
    assert seed.headline in html and "Draft" in html
    for n in range(15):
        make_article(f"Another report {n}", publish=False)
    with django_assert_max_num_queries(baseline_count):
        html = editor_client.get(reverse("editor:dashboard")).content.decode()
    assert html.count("<tr>") == 17


def post_note(client, article, quote, **extra):
    data = {"quote": quote, "occurrence": 1, "motivation": "commenting", "body": "Check", "visibility": "editors"}
    return client.post(reverse("editor:note_create", args=[article.slug]), data | extra)


def test_a_note_is_added_by_typing_the_words_and_shows_highlighted(editor_client, seed):
    response = post_note(editor_client, seed, "Tikhnovskaya", occurrence=2, motivation="questioning")
    annotation = Annotation.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#annotation-{annotation.pk}")
    text = seed.current_revision.text
    assert annotation.start == text.index("Tikhnovskaya", text.index("Tikhnovskaya") + 1)
    html = editor_client.get(workspace(seed.slug)).content.decode()
    assert f'data-ids="{annotation.pk}"' in html and "hl-questioning" in html
    assert f'id="annotation-{annotation.pk}"' in html


def test_words_not_in_the_text_are_refused_with_a_message(editor_client, seed):
    response = post_note(editor_client, seed, "Bachelet")
    assert response.status_code == 400
    assert "These words are not in the current text" in response.content.decode()
    assert not Annotation.objects.exists()


def test_a_note_made_on_an_older_revision_is_a_conflict_not_a_misplaced_note(editor_client, seed):
    start = seed.current_revision.text.index("Spoke")
    article_revise(
        article=seed, edits=[(start, start + 5, "spoke")], author=None, message="x", base=seed.current_revision
    )
    response = post_note(editor_client, seed, "Belchett", revision=1)
    assert response.status_code == 302 and not Annotation.objects.exists()
    html = editor_client.get(response["Location"]).content.decode()
    assert "The text changed while you were working" in html


def test_reply_resolve_and_stale_delete(editor_client, seed):
    post_note(editor_client, seed, "Belchett")
    note = Annotation.objects.get()
    action = reverse("editor:annotation_action", args=[seed.slug, note.pk])
    editor_client.post(action, {"action": "reply", "version": 1, "body": "It is Bachelet."})
    editor_client.post(action, {"action": "resolve", "version": 1})
    note.refresh_from_db()
    assert note.status == "resolved" and note.version == 2 and note.replies.count() == 1
    response = editor_client.post(action, {"action": "delete", "version": 1}, follow=True)
    assert "Someone changed this annotation" in response.content.decode()
    assert Annotation.objects.filter(pk=note.pk).exists()


def test_editors_cannot_delete_someone_elses_note(client, seed):
    client.force_login(make_member("author", "Editor"))
    post_note(client, seed, "Belchett")
    note = Annotation.objects.get()
    client.force_login(make_member("other", "Editor"))
    action = reverse("editor:annotation_action", args=[seed.slug, note.pk])
    response = client.post(action, {"action": "delete", "version": 1}, follow=True)
    assert "only the author" in response.content.decode()
    assert Annotation.objects.filter(pk=note.pk).exists()


def test_workspace_queries_stay_flat(editor_client, seed, django_assert_max_num_queries):
    post_note(editor_client, seed, "Belchett")
    with django_assert_max_num_queries(10) as baseline:
        editor_client.get(workspace(seed.slug))
    baseline_count = len(baseline.captured_queries)  # requests reset Django's query log: count now
    for word in ["Lukashenko", "Putin", "Pompeo", "Kremlin", "NATO", "Poland", "Lithuania"] * 5:
        post_note(editor_client, seed, word)
    note = Annotation.objects.first()
    editor_client.post(
        reverse("editor:annotation_action", args=[seed.slug, note.pk]),
        {"action": "reply", "version": 1, "body": "reply"},
    )
    with django_assert_max_num_queries(baseline_count):
        html = editor_client.get(workspace(seed.slug)).content.decode()
    assert html.count('class="annotation kind-') == 36


def test_upload_imports_each_file_and_reports_each(editor_client):
    files = [
        SimpleUploadedFile("seed.txt", seed_bytes()),
        SimpleUploadedFile("empty.txt", b""),
    ]
    response = editor_client.post(reverse("editor:upload"), {"files": files}, follow=True)
    html = response.content.decode()
    assert "seed.txt: imported" in html and "empty.txt: failed — empty file" in html
    article = Article.objects.get()
    assert article.status == "draft" and article.originals.get().imported_by.username == "ed"


def test_only_reviewers_can_publish_on_upload(client):
    client.force_login(make_member("ed", "Editor"))
    client.post(reverse("editor:upload"), {"files": [SimpleUploadedFile("a.txt", seed_bytes())], "publish": "on"})
    assert Article.objects.get().status == "draft"
