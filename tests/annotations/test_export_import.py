"""export_annotations / import_annotations: a lossless, idempotent round trip with clear per-item errors."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotations.anchoring import Selectors
from annotations.models import Annotation, Entity
from annotations.services.annotating import Body, annotation_create, annotation_update
from annotations.services.revising import article_revise
from tests.annotations.test_jsonld import assert_w3c_annotation
from tests.factories import import_seed, make_article, make_user

pytestmark = pytest.mark.django_db

BASE = "https://palimpsest.test/"


def annotate(article, quote, user, motivation="commenting", **kwargs):
    return annotation_create(
        article=article, creator=user, motivation=motivation, selectors=Selectors(exact=quote), **kwargs
    )


def edit_of(article, old, new):
    start = article.current_revision.text.index(old)
    return (start, start + len(old), new)


@pytest.fixture
def archive():
    """Two articles with every kind of annotation: replies, privacy, statuses, moved and orphaned ones."""
    seed, other = import_seed(), make_article("Second story")
    editor, colleague = make_user("editor"), make_user("colleague")
    comment = annotate(seed, "calm the winds", editor, body=Body("Idiom?", language="en"), visibility="public")
    annotate(seed, "Vladimir Putin", editor, "highlighting", visibility="private")
    belchett = annotate(seed, "Belchett", colleague, "questioning", body=Body("**Bachelet**", "text/markdown"))
    pompeo = annotate(seed, "Pompeo", editor, "identifying")
    Annotation.objects.filter(pk=pompeo.pk).update(entity=Entity.objects.create(name="Mike Pompeo", slug="pompeo"))
    reply = annotation_create(article=seed, creator=colleague, motivation="replying", parent=comment, body=Body("Yes"))
    annotation_create(article=seed, creator=editor, motivation="replying", parent=reply, body=Body("Thanks"))
    annotation_update(annotation=belchett, user=colleague, expected_version=1, status="resolved")
    annotate(seed, "Kremlin", editor, "highlighting")
    article_revise(
        article=seed,
        edits=sorted([edit_of(seed, "Belchett", "Bachelet"), edit_of(seed, "Kremlin", "")], reverse=True),
        author=editor,
        message="Names",
        base=seed.current_revision,
    )
    annotate(seed, "Bachelet", editor, "tagging")
    annotate(other, "Second story", colleague, visibility="public")
    return seed, other


def export(tmp_path, name, *args):
    path = tmp_path / name
    call_command("export_annotations", "-o", str(path), "--base-url", BASE, *args)
    return path


def import_file(path, *args, out=None):
    out = io.StringIO() if out is None else out
    call_command("import_annotations", str(path), *args, stdout=out, stderr=out)
    return out.getvalue()


def test_export_wipe_import_export_is_identical(tmp_path, archive):
    states = set(Annotation.objects.values_list("anchor_state", flat=True))
    assert states == {"anchored", "moved", "needs_review", "orphaned"}
    first = export(tmp_path, "first.jsonld")
    Annotation.objects.all().delete()
    assert "imported 9, already present 0, failed 0" in import_file(first)
    second = export(tmp_path, "second.jsonld")
    assert first.read_text() == second.read_text()
    fresh = annotate(archive[1], "Second story", make_user("late"))  # ids restored, the sequence moved past them
    assert fresh.pk > max(Annotation.objects.exclude(pk=fresh.pk).values_list("pk", flat=True))


def test_the_export_is_a_w3c_annotation_collection_with_what_a_restore_needs(tmp_path, archive):
    data = json.loads(export(tmp_path, "all.jsonld").read_text())
    assert data["type"] == "AnnotationCollection" and "http://www.w3.org/ns/anno.jsonld" in data["@context"]
    assert data["id"] == f"{BASE}annotations/" and data["total"] == 9 == len(data["first"]["items"])
    assert data["first"]["type"] == "AnnotationPage" and data["last"] == data["first"]["id"]
    for item in data["first"]["items"]:
        assert_w3c_annotation(item, embedded=True)
        assert item["canonical"].startswith("urn:uuid:") and item["pal:version"] >= 1 and item["pal:revision"] >= 1
    by_quote = {i["target"]["selector"][0]["exact"]: i for i in data["first"]["items"] if isinstance(i["target"], dict)}
    assert by_quote["Bachelet"]["pal:anchorState"] in ("needs_review", "anchored")
    assert by_quote["Kremlin"]["pal:anchorState"] == "orphaned" and by_quote["Kremlin"]["pal:revision"] == 1
    assert by_quote["Pompeo"]["pal:entity"] == "pompeo"
    assert by_quote["Vladimir Putin"]["pal:visibility"] == "private"


def test_one_article_can_be_exported(tmp_path, archive):
    data = json.loads(export(tmp_path, "one.jsonld", "--article", archive[1].slug).read_text())
    assert data["total"] == 1 and data["id"] == f"{BASE}articles/{archive[1].slug}/annotations/"
    with pytest.raises(CommandError, match="no article"):
        export(tmp_path, "none.jsonld", "--article", "no-such-article")


def test_importing_twice_changes_nothing(tmp_path, archive):
    path = export(tmp_path, "all.jsonld")
    assert "imported 0, already present 9, failed 0" in import_file(path)
    assert Annotation.objects.count() == 9


def test_import_reports_each_bad_item_restores_the_rest_and_fails(tmp_path, archive):
    path = export(tmp_path, "all.jsonld")
    data = json.loads(path.read_text())
    Annotation.objects.all().delete()
    items = data["first"]["items"]
    items[0]["creator"]["nickname"] = "nobody"
    top_level = [item for item in items[1:] if isinstance(item["target"], dict)]
    top_level[0]["target"]["selector"][1]["start"] += 1
    top_level[1]["pal:revision"] = 99
    items.append("not an annotation")
    path.write_text(json.dumps(data))
    out = io.StringIO()
    with pytest.raises(CommandError, match="imported 4, already present 0, failed 6"):
        import_file(path, out=out)
    report = out.getvalue()
    assert f"{items[0]['id']}: creator.nickname: there is no user 'nobody'" in report
    assert f"{top_level[0]['id']}: target.selector: the quote and position do not select the same text" in report
    assert f"{top_level[1]['id']}: pal:revision: article {archive[0].slug} has no revision 99" in report
    assert "item 10: an item must be a JSON object" in report
    assert report.count("its parent annotation is neither in the file nor in the database") == 2
    assert Annotation.objects.count() == 4 and not Annotation.objects.filter(creator__username="nobody").exists()


def test_replies_are_restored_after_their_parents_in_any_order(tmp_path, archive):
    path = export(tmp_path, "all.jsonld")
    data = json.loads(path.read_text())
    data["first"]["items"].reverse()
    path.write_text(json.dumps(data))
    Annotation.objects.all().delete()
    assert "imported 9" in import_file(path)
    assert Annotation.objects.filter(parent__parent__isnull=False).count() == 1


def test_a_reply_exported_wider_than_its_note_is_restored_within_its_thread(tmp_path, archive):
    """Exports written before replies were clamped may hold a public reply to an editors' note."""
    path = export(tmp_path, "all.jsonld")
    data = json.loads(path.read_text())
    thanks = next(item for item in data["first"]["items"] if item.get("body", {}).get("value") == "Thanks")
    assert thanks["pal:visibility"] == "editors"  # its note, the reply "Yes", is editors-only
    thanks["pal:visibility"] = "public"
    path.write_text(json.dumps(data))
    Annotation.objects.all().delete()
    assert "imported 9" in import_file(path)
    assert Annotation.objects.get(body_value="Thanks").visibility == "editors"
    assert Annotation.objects.get(body_value="Idiom?").visibility == "public"  # notes keep their own


def test_a_dry_run_stores_nothing(tmp_path, archive):
    path = export(tmp_path, "all.jsonld")
    Annotation.objects.all().delete()
    assert "would import 9" in import_file(path, "--dry-run")
    assert not Annotation.objects.exists()


def test_unreadable_files_are_refused(tmp_path, db):
    with pytest.raises(CommandError, match="cannot read"):
        import_file(tmp_path / "missing.jsonld")
    bad = tmp_path / "bad.jsonld"
    bad.write_text('{"type": "AnnotationPage"}')
    with pytest.raises(CommandError, match="AnnotationCollection"):
        import_file(bad)


def test_export_queries_do_not_grow_with_annotations(tmp_path, archive, django_assert_max_num_queries):
    with django_assert_max_num_queries(3) as few:
        export(tmp_path, "a.jsonld")
    seed, user = archive[0], make_user("busy")
    for start in range(0, 2000, 10):
        annotation_create(
            article=seed,
            creator=user,
            motivation="commenting",
            selectors=Selectors(exact=None, start=start, end=start + 4),
        )
    with django_assert_max_num_queries(len(few)):
        export(tmp_path, "b.jsonld")
