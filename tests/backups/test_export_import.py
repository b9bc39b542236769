"""export_archive / import_archive: the whole archive round-trips losslessly, verified by checksums, all or nothing."""

import datetime
import hashlib
import io
import json
import stat

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from annotations.anchoring import Selectors
from annotations.models import Annotation, ArticleLink, ArticleSearch, Correction, EntitySuggestion, ExternalLink
from annotations.services.annotating import Body, annotation_create, annotation_update
from annotations.services.corrections import correction_accept, correction_propose, correction_reject
from annotations.services.entities import entity_create, entity_merge, entity_tag_add, mention_create
from annotations.services.entity_suggestions import entities_suggest, suggestion_dismiss
from annotations.services.glossary import glossary_remember
from annotations.services.revising import article_revise
from archive.models import Article, Original, Outlet
from archive.services import ImportFile, articles_import
from audit.models import AuditEntry
from audit.services import audit_record, audit_verify
from backups.services import BackupError, archive_export, archive_import
from backups.tables import ARCHIVE_APPS, DERIVED, TABLES
from tests.factories import import_seed, make_member

pytestmark = pytest.mark.django_db


def annotate(article, quote, user, motivation="commenting", **kwargs):
    selectors = Selectors(exact=quote)
    return annotation_create(article=article, creator=user, motivation=motivation, selectors=selectors, **kwargs)


def edit_of(article, old, new):
    start = article.current_revision.text.index(old)
    return (start, start + len(old), new)


@pytest.fixture
def archive():
    """Every table filled through the services: revisions, annotations of every state, corrections, …"""
    editor, reviewer = make_member("editor", "Editor"), make_member("reviewer", "Reviewer")
    seed = import_seed()
    [second] = articles_import(
        [
            ImportFile(
                "second.txt", "Протесты в Минске\r\n\r\nЛюди вышли на улицы Минска в воскресенье.\r\n".encode("cp1251")
            )
        ],
        imported_by=editor,
        original_language="ru",
    )
    other = second.article
    Article.objects.filter(pk=other.pk).update(
        outlet=Outlet.objects.create(name="BelTA", homepage="https://belta.by/"),
        published_on=datetime.date(2020, 8, 16),
        published_on_precision="day",
    )
    comment = annotate(seed, "calm the winds", editor, body=Body("Idiom?", language="en"), visibility="public")
    reply = annotation_create(article=seed, creator=reviewer, motivation="replying", parent=comment, body=Body("Yes"))
    annotation_update(annotation=reply, user=reviewer, expected_version=1, status="resolved")
    annotate(seed, "Vladimir Putin", editor, "highlighting", visibility="private")
    annotate(seed, "Kremlin", editor, "highlighting")  # orphaned by the revision below
    article_revise(
        article=seed, edits=[edit_of(seed, "Kremlin", "")], author=editor, message="Cut", base=seed.current_revision
    )
    span = seed.current_revision.text.index("Belchett")
    fix = correction_propose(
        article=seed, proposer=editor, replacement="Bachelet", category="terminology", span=(span, span + 8)
    )
    correction_accept(correction=fix, reviewer=reviewer)
    glossary_remember(correction=Correction.objects.get(pk=fix.pk), user=reviewer)
    seed.refresh_from_db()
    span = seed.current_revision.text.index("Pompeo")
    correction_reject(
        correction=correction_propose(
            article=seed, proposer=editor, replacement="Pompey", category="mistranslation", span=(span, span + 6)
        ),
        reviewer=reviewer,
        note="The name is right",
    )
    lukashenko = entity_create(name="Alexander Lukashenko", kind="person", aliases=["Lukashenka"], wikidata_id="Q39651")
    duplicate = entity_create(name="A. Lukashenko", kind="person", aliases=["Lukaschenko"])
    mention_create(article=seed, user=editor, selectors=Selectors(exact="Lukashenko"), entity=lukashenko)
    entity_tag_add(article=other, entity=duplicate, user=editor)
    entity_merge(source=duplicate, target=lukashenko, user=reviewer)
    entities_suggest(articles=[seed, other])
    suggestion_dismiss(suggestion=EntitySuggestion.objects.filter(state="pending").first(), user=reviewer)
    seed.tags.add("protests", "elections")
    other.tags.add("protests")
    link_note = annotate(seed, "violent response", editor, "linking", visibility="public")
    ArticleLink.objects.create(source=seed, target=other, kind="follow-up", annotation=link_note, created_by=editor)
    ExternalLink.objects.create(
        article=seed,
        url="https://example.org/report",
        title="Report",
        published_on=datetime.date(2020, 9, 1),
        created_by=reviewer,
    )
    audit_record(actor=editor, action="link.create", target=link_note, after={"kind": "follow-up"})
    return seed, other


def snapshot():
    """What must survive: ids (URLs, IRIs), states and the audit head."""
    return {
        "annotations": list(
            Annotation.objects.order_by("pk").values_list("pk", "canonical", "anchor_state", "version")
        ),
        "articles": list(Article.objects.order_by("pk").values_list("pk", "slug", "current_revision_id", "updated_at")),
        "originals": list(
            Original.objects.order_by("pk").values_list(
                "pk", "sha256", "encoding", "imported_at", "imported_by__username"
            )
        ),
        "audit": list(AuditEntry.objects.order_by("sequence").values_list("sequence", "hash", "actor__username")),
    }


def files_of(path):
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def wipe():
    """An empty database, as after `migrate` on a new one (flush empties every table, users included)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred FK checks
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_export_flush_import_export_is_identical(tmp_path, archive):
    states = set(Annotation.objects.values_list("anchor_state", flat=True))
    assert {"anchored", "orphaned"} <= states
    assert set(Correction.objects.values_list("state", flat=True)) == {"accepted", "rejected"}
    before = snapshot()
    first = archive_export(output=tmp_path / "one")
    assert all(first.rows[table.label] > 0 for table in TABLES), first.rows  # every table is exercised

    wipe()
    assert not Article.objects.exists() and not get_user_model().objects.exists()
    loaded = archive_import(source=tmp_path / "one")
    assert loaded.rows == {label: count for label, count in first.rows.items() if label != "users"}
    assert loaded.users_created == first.rows["users"] == 2
    assert snapshot() == before

    archive_export(output=tmp_path / "two")
    one, two = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name] and name != "manifest.json"] == []
    manifests = [json.loads(files["manifest.json"]) for files in (one, two)]
    assert manifests[0].pop("exported_at") and manifests[1].pop("exported_at")
    assert manifests[0] == manifests[1]

    out = io.StringIO()
    call_command("verify_originals", stdout=out)
    assert "all 2 originals match" in out.getvalue() and "audit log intact" in out.getvalue()


def test_restored_rows_keep_their_bytes_users_and_sequences(tmp_path, archive, django_capture_on_commit_callbacks):
    seed, _other = archive
    original = Original.objects.get(article=seed)
    archive_export(output=tmp_path / "export")
    wipe()
    with django_capture_on_commit_callbacks(execute=True):
        archive_import(source=tmp_path / "export")
    assert ArticleSearch.objects.count() == 2  # the search index was rebuilt once the import committed
    assert bytes(Original.objects.get(pk=original.pk).content) == bytes(original.content)
    assert "Минске".encode("cp1251") in bytes(Original.objects.get(filename="second.txt").content)
    editor = get_user_model().objects.get(username="editor")
    assert not editor.is_active and not editor.has_usable_password()
    assert sorted(Article.objects.get(pk=seed.pk).tags.names()) == ["elections", "protests"]
    # New rows after an import take ids past the restored ones (sequences moved on PostgreSQL).
    editor.is_active = True
    editor.save()
    restored = Article.objects.get(pk=seed.pk)
    assert annotate(restored, "calm the winds", editor).pk > max(pk for pk, *_ in snapshot()["annotations"][:-1])
    assert audit_verify() == []


def test_export_files_are_checksummed_in_the_manifest(tmp_path, archive):
    archive_export(output=tmp_path / "export")
    manifest = json.loads((tmp_path / "export" / "manifest.json").read_text())
    assert manifest["format"] == "palimpsest-archive" and manifest["version"] == 1
    assert set(manifest["files"]) == {t.path for t in TABLES} | {"data/users.jsonl"}
    originals = sorted(p.name for p in (tmp_path / "export" / "originals").iterdir())
    assert originals == sorted(Original.objects.values_list("sha256", flat=True))
    assert manifest["rows"]["archive.original"] == 2
    assert stat.S_IMODE((tmp_path / "export").stat().st_mode) == 0o700  # private notes inside


def test_every_model_is_exported_or_rebuilt():
    """A new model in an archive app must be added to backups.tables, or the round trip would lose it."""
    models = {m._meta.label_lower for app in ARCHIVE_APPS for m in apps.get_app_config(app).get_models()}
    assert models == {table.label for table in TABLES} | DERIVED


def test_export_reads_no_row_by_row(tmp_path, archive, django_assert_max_num_queries):
    archive_export(output=tmp_path / "small")
    for n in range(20):
        annotate(archive[0], "calm the winds", get_user_model().objects.get(username="editor"), body=Body(f"{n}"))
    with django_assert_max_num_queries(len(TABLES) + 8):
        archive_export(output=tmp_path / "large")


def test_import_refuses_a_database_that_holds_an_archive(tmp_path, archive):
    archive_export(output=tmp_path / "export")
    with pytest.raises(CommandError, match=r"nothing was imported: the database already holds archive data: .*"):
        call_command("import_archive", str(tmp_path / "export"))


@pytest.fixture
def exported(tmp_path, archive):
    path = tmp_path / "export"
    archive_export(output=path)
    wipe()
    return path


def assert_nothing_loaded():
    assert not Article.objects.exists() and not AuditEntry.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_damaged_data_file_is_refused_before_anything_is_written(exported):
    path = exported / "data" / "annotations.annotation.jsonl"
    path.write_bytes(path.read_bytes().replace(b"Idiom?", b"Idiom!"))
    with pytest.raises(BackupError, match="annotations.annotation.jsonl does not match the SHA-256"):
        archive_import(source=exported)
    assert_nothing_loaded()


def test_a_damaged_original_is_refused(exported):
    victim = next((exported / "originals").iterdir())
    victim.write_bytes(victim.read_bytes()[:-1] + b"X")
    with pytest.raises(BackupError, match=f"originals/{victim.name} does not hash to its name"):
        archive_import(source=exported)
    (exported / "originals" / victim.name).unlink()
    with pytest.raises(BackupError, match=f"originals/{victim.name} .* is missing"):
        archive_import(source=exported)
    assert_nothing_loaded()


def rewrite(export, relative, change):
    """Change a data file and its manifest entry consistently, so only the loader can notice."""
    path = export / relative
    path.write_bytes(change(path.read_bytes()))
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["files"][relative] = {
        "rows": manifest["files"][relative]["rows"],
        "bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    (export / "manifest.json").write_text(json.dumps(manifest))


def test_a_failure_while_loading_leaves_nothing_half_loaded(exported):
    def drop_last_revision(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        return b"".join(lines[:-1])

    rewrite(exported, "data/archive.revision.jsonl", drop_last_revision)
    with pytest.raises(BackupError, match="refers to rows it does not hold|rows loaded, the manifest says"):
        archive_import(source=exported)
    assert_nothing_loaded()


def test_a_forged_audit_entry_in_an_export_is_refused(exported):
    rewrite(
        exported,
        "data/audit.auditentry.jsonl",
        lambda data: data.replace(b'"actor_name":"editor"', b'"actor_name":"x"', 1),
    )
    with pytest.raises(BackupError, match="the audit log in the export does not verify: audit entry #"):
        archive_import(source=exported)
    assert_nothing_loaded()


def test_an_unknown_field_is_refused_with_its_line(exported):
    rewrite(
        exported, "data/archive.outlet.jsonl", lambda data: data.replace(b'{"homepage"', b'{"colour":"red","homepage"')
    )
    with pytest.raises(BackupError, match=r"archive.outlet.jsonl line 1: unknown field 'colour'"):
        archive_import(source=exported)
    assert_nothing_loaded()


def test_a_dry_run_verifies_and_keeps_nothing(exported):
    out = io.StringIO()
    call_command("import_archive", str(exported), "--dry-run", stdout=out)
    assert "verified (dry run, nothing kept)" in out.getvalue() and "archive.article 2" in out.getvalue()
    assert_nothing_loaded()


def test_existing_users_are_matched_by_username(exported):
    admin = get_user_model().objects.create_user("reviewer", password="a-long-test-password")
    summary = archive_import(source=exported)
    assert summary.users_created == 1
    admin.refresh_from_db()
    assert admin.is_active and admin.has_usable_password()
    assert Correction.objects.filter(reviewed_by=admin).count() == 2


def test_the_commands_report_and_refuse(tmp_path, archive):
    out = io.StringIO()
    call_command("export_archive", str(tmp_path / "export"), stdout=out)
    assert out.getvalue().startswith(f"exported to {tmp_path / 'export'}: archive.outlet 1, archive.article 2")
    with pytest.raises(CommandError, match="already exists"):
        call_command("export_archive", str(tmp_path / "export"))
    with pytest.raises(CommandError, match="has no manifest.json"):
        call_command("import_archive", str(tmp_path))


def test_an_export_of_a_tampered_original_is_refused_and_leaves_nothing(tmp_path, archive):
    original = Original.objects.get(article=archive[0])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE archive_original DISABLE TRIGGER archive_original_immutable")
        else:
            cursor.execute("DROP TRIGGER archive_original_immutable")
        cursor.execute("UPDATE archive_original SET content = %s WHERE id = %s", [b"tampered", original.pk])
    with pytest.raises(BackupError, match=f"archive.original {original.pk}: its bytes no longer match"):
        archive_export(output=tmp_path / "export")
    assert list(tmp_path.iterdir()) == []
