"""Recording editorial actions in the audit log: one entry per action, inside the caller's transaction."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from annotations.services.revising import article_revise
from archive.blocks import BlockEditError
from archive.services import ImportFile, RevisionConflict, article_publish, article_unpublish, articles_import
from audit.chain import GENESIS
from audit.models import AuditEntry, AuditImmutableError
from audit.services import AuditError, audit_lock, audit_record, audit_verify
from tests.factories import import_seed, make_user

pytestmark = pytest.mark.django_db


def revise(article, old, new, user, base=None):
    text = article.current_revision.text
    start = text.index(old)
    return article_revise(
        article=article,
        edits=[(start, start + len(old), new)],
        author=user,
        message=f"{old} → {new}",
        base=base or article.current_revision,
    )


def test_archive_actions_build_one_chain_that_verifies():
    editor = make_user("editor")
    article = import_seed(publish=False)
    article_publish(article=article, actor=editor)
    revise(article, "Belchett", "Belchet", editor)
    article_unpublish(article=article, actor=editor)

    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [(e.sequence, e.action, e.actor_name) for e in entries] == [
        (1, "article.import", ""),
        (2, "article.publish", "editor"),
        (3, "revision.create", "editor"),
        (4, "article.unpublish", "editor"),
    ]
    assert entries[0].previous_hash == GENESIS
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))
    assert {e.target for e in entries} == {article}
    assert entries[0].after["sha256"] == article.originals.get().sha256
    assert entries[1].before == {"status": "draft"} and entries[1].after["status"] == "published"
    assert audit_verify() == []


def test_a_revision_entry_holds_only_the_blocks_that_changed():
    editor = make_user("editor")
    article = import_seed()
    revise(article, "Belchett", "Belchet", editor)
    entry = AuditEntry.objects.get(action="revision.create")
    assert entry.before["revision"] == 1 and entry.after["revision"] == 2
    assert entry.after["message"] == "Belchett → Belchet"
    [old_block], [new_block] = entry.before["blocks"], entry.after["blocks"]
    assert "Belchett" in old_block["text"] and "Belchett" not in new_block["text"]
    assert old_block["text"].replace("Belchett", "Belchet") == new_block["text"]
    assert entry.before["from_block"] == entry.after["from_block"] > 0


def test_an_import_of_several_files_records_one_entry_per_article():
    user = make_user("importer")
    files = [ImportFile(f"{n}.txt", f"Headline {n}\n\nA paragraph number {n}.\n".encode()) for n in range(3)]
    results = articles_import([*files, ImportFile("empty.txt", b"")], imported_by=user)
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [e.target for e in entries] == [r.article for r in results[:3]]
    assert {e.action for e in entries} == {"article.import"} and {e.actor for e in entries} == {user}
    assert [e.after["filename"] for e in entries] == ["0.txt", "1.txt", "2.txt"]
    assert audit_verify() == []


def test_a_rolled_back_write_leaves_no_entry():
    article = import_seed()
    editor = make_user("editor")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=editor, action="article.publish", target=article, after={"status": "published"})
        raise RuntimeError("the caller's write fails after the entry was recorded")
    with pytest.raises(RevisionConflict):
        revise(article, "Belchett", "Belchet", editor, base=article.current_revision)
        revise(article, "Pompeo", "Pompeo!", editor, base=article.revisions.get(number=1))
    with pytest.raises(BlockEditError):
        text = article.current_revision.text
        cut = text.index("\n\n")
        edits = [(cut - 2, cut + 4, "x")]
        article_revise(article=article, edits=edits, author=editor, message="x", base=article.current_revision)
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("sequence")) == [
        "article.import",
        "revision.create",
    ]
    assert audit_verify() == []


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = audit_record(actor=None, action="glossary.remember", target=None, after={"preferred": "Belchet"})
    entry.after = {"preferred": "forged"}
    with pytest.raises(AuditImmutableError):
        entry.save()
    with pytest.raises(AuditImmutableError):
        entry.delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x.y")
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().after == {"preferred": "Belchet"}


def test_values_are_stored_as_they_read_back_so_the_hash_still_verifies():
    article = import_seed()
    entry = audit_record(
        actor=AnonymousUser(),
        action="article.publish",
        target=article,
        after={"on": datetime.date(2020, 9, 1), "score": 0.875, "big": 1e16, "text": "Лукашенко’s"},
    )
    assert entry.actor is None and entry.actor_name == ""
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.after == {"on": "2020-09-01", "score": 0.875, "big": 1e16, "text": "Лукашенко’s"}
    assert stored.compute_hash() == stored.hash == entry.hash
    assert audit_verify() == []


@pytest.mark.parametrize("action", ["", "publish", "Article.Publish", "article publish", "article."])
def test_malformed_actions_are_refused(action):
    with pytest.raises(AuditError, match="dotted lower-case"):
        audit_record(actor=None, action=action, target=None)
    assert not AuditEntry.objects.exists()


def test_unsaved_targets_and_non_json_values_are_refused():
    with pytest.raises(AuditError, match="saved first"):
        audit_record(actor=None, action="entity.merge", target=AuditEntry())
    with pytest.raises(AuditError, match="JSON"):
        audit_record(actor=None, action="entity.merge", target=None, after={"x": object()})
    with pytest.raises(AuditError, match="JSON"):
        audit_record(actor=None, action="entity.merge", target=None, after={"x": float("nan")})


def test_entries_about_one_object_newest_first():
    first, second = import_seed(), import_seed_copy()
    article_publish(article=first)
    assert [e.action for e in AuditEntry.objects.for_object(first)] == ["article.publish", "article.import"]
    assert [e.action for e in AuditEntry.objects.for_object(second)] == ["article.import"]


def import_seed_copy():
    from tests.factories import make_article

    return make_article("Another report")


def test_the_chain_lock_can_be_taken_first_and_again():
    with transaction.atomic():
        audit_lock()
        audit_lock()  # taking it again in the same transaction is a no-op
        audit_record(actor=None, action="entity.merge", target=None)
    assert audit_verify() == []
