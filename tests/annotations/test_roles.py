import pytest

from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_editors_annotate_and_propose_but_do_not_review():
    editor = make_member("ed", "Editor")
    assert editor.has_perm("annotations.add_annotation") and editor.has_perm("annotations.add_correction")
    assert not editor.has_perm("annotations.review_correction")
    assert not editor.has_perm("archive.publish_article")
    assert not editor.has_perm("archive.change_original")


def test_reviewers_also_review_and_publish():
    reviewer = make_member("rev", "Reviewer")
    assert reviewer.has_perm("annotations.add_annotation")
    assert reviewer.has_perm("annotations.review_correction") and reviewer.has_perm("archive.publish_article")
    assert not reviewer.has_perm("archive.delete_original")
