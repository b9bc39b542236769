"""The annotation admin: filters, search, the orphans view, read-only selectors, edits through the services."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from annotations.admin import AnnotationInline
from annotations.anchoring import Selectors
from annotations.models import Annotation
from annotations.services.annotating import Body, annotation_create
from annotations.services.revising import article_revise
from archive.models import Article
from tests.factories import import_seed, make_note, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:annotations_annotation_changelist")


@pytest.fixture
def seed():
    return import_seed()


@pytest.fixture
def editor():
    return make_user("editor")


STAFF_PERMISSIONS = (
    "annotations.view_annotation",
    "annotations.change_annotation",
    "annotations.delete_annotation",
    "archive.view_article",
    "archive.change_article",
)


@pytest.fixture
def staff():
    client = Client()
    client.force_login(make_user("boss", staff=True, perms=STAFF_PERMISSIONS))
    return client


def annotate(article, quote, user, motivation="commenting", body="", **kwargs):
    return make_note(article, quote, user, body=body, motivation=motivation, **kwargs)


def listed(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def test_the_list_filters_by_motivation_visibility_status_and_anchoring(staff, seed, editor):
    comment = annotate(seed, "calm the winds", editor, visibility="public")
    question = annotate(seed, "Belchett", editor, "questioning")
    gone = annotate(seed, "Kremlin", editor, "highlighting", visibility="private")
    start = seed.current_revision.text.index("Kremlin")
    article_revise(
        article=seed, edits=[(start, start + 7, "")], author=editor, message="cut", base=seed.current_revision
    )
    gone.refresh_from_db()
    assert gone.anchor_state == "orphaned"
    assert listed(staff.get(CHANGELIST)) == {comment.pk, question.pk, gone.pk}
    assert listed(staff.get(CHANGELIST, {"motivation__exact": "questioning"})) == {question.pk}
    assert listed(staff.get(CHANGELIST, {"visibility__exact": "public"})) == {comment.pk}
    assert listed(staff.get(CHANGELIST, {"status__exact": "open"})) == {comment.pk, question.pk, gone.pk}
    orphans = staff.get(CHANGELIST, {"anchor_state": "orphaned"})
    assert listed(orphans) == {gone.pk} and "Orphaned" in orphans.content.decode()
    assert listed(staff.get(CHANGELIST, {"anchor_state": "attention"})) == {gone.pk}
    placed = Annotation.objects.filter(anchor_state__in=["anchored", "moved"])
    assert set(placed.values_list("pk", flat=True)) == {comment.pk, question.pk}
    for state in ("anchored", "moved"):
        assert listed(staff.get(CHANGELIST, {"anchor_state": state})) == {
            a.pk for a in placed if a.anchor_state == state
        }


def test_search_finds_quotes_and_bodies(staff, seed, editor):
    by_quote = annotate(seed, "Belchett", editor)
    by_body = annotate(seed, "Pompeo", editor, body="Secretary of State at the time")
    assert listed(staff.get(CHANGELIST, {"q": "Belchett"})) == {by_quote.pk}
    assert listed(staff.get(CHANGELIST, {"q": "secretary of state"})) == {by_body.pk}


def test_selectors_are_read_only_and_an_edit_goes_through_the_service(staff, seed, editor):
    annotation = annotate(seed, "Belchett", editor, body="old")
    url = reverse("admin:annotations_annotation_change", args=[annotation.pk])
    page = staff.get(url)
    form = page.context["adminform"].form
    assert set(form.fields) == {
        "body_value",
        "body_format",
        "body_language",
        "visibility",
        "status",
        "expected_version",
    }
    assert "Belchett" in page.content.decode() and annotation.canonical in page.content.decode()
    data = {"body_value": "new", "body_format": "text/plain", "body_language": "", "visibility": "public"}
    response = staff.post(url, data | {"status": "resolved", "expected_version": 1, "exact": "hacked", "start": 0})
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert (annotation.body_value, annotation.status, annotation.visibility) == ("new", "resolved", "public")
    assert (annotation.exact, annotation.version) == ("Belchett", 2)
    stale = staff.post(url, data | {"status": "open", "expected_version": 1})
    assert stale.status_code == 200 and "Someone changed this annotation" in stale.content.decode()
    annotation.refresh_from_db()
    assert annotation.status == "resolved"


def test_annotations_are_not_added_in_the_admin_and_deleting_takes_the_replies(staff, seed, editor):
    parent = annotate(seed, "Belchett", editor)
    annotation_create(article=seed, creator=editor, motivation="replying", parent=parent, body=Body("reply"))
    assert staff.get(reverse("admin:annotations_annotation_add")).status_code == 403
    response = staff.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [a.pk for a in Annotation.objects.all()], "post": "yes"},
    )
    assert response.status_code == 302 and not Annotation.objects.exists()


def test_the_article_admin_shows_its_annotations_inline(staff, seed, editor):
    assert AnnotationInline in admin.site.get_model_admin(Article).inlines
    annotate(seed, "Belchett", editor, "questioning")
    annotation_create(
        article=seed, creator=editor, motivation="replying", parent=Annotation.objects.get(), body=Body("x")
    )
    page = staff.get(reverse("admin:archive_article_change", args=[seed.pk])).content.decode()
    assert "Belchett" in page and "reply to #" in page and "Question" in page


@pytest.mark.parametrize("where", ["changelist", "article"])
def test_admin_pages_queries_stay_flat(staff, seed, editor, django_assert_max_num_queries, where):
    url = CHANGELIST if where == "changelist" else reverse("admin:archive_article_change", args=[seed.pk])
    annotate(seed, "Belchett", editor)
    with django_assert_max_num_queries(40) as few:
        assert staff.get(url).status_code == 200
    for start in range(0, 600, 12):
        selectors = Selectors(exact=None, start=start, end=start + 5)
        annotation_create(article=seed, creator=editor, motivation="commenting", selectors=selectors)
    with django_assert_max_num_queries(len(few)):
        assert staff.get(url).status_code == 200
