"""Data migrations that repair rows written before a rule: run on such rows, with the models as the migration sees them.

The rows are made through the services, then put back into the old state with raw updates (what the
services now refuse to write); each migration's function then runs against them with the historical
models of its place in the migration graph, and again to show that it changes nothing the second time.
"""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from annotations import search
from annotations.anchoring import Selectors
from annotations.models import Annotation, TaggedEntity
from annotations.search_query import parse_query
from annotations.services.annotating import Body, annotation_create
from annotations.services.entities import entity_create, entity_tag_add, mention_create
from tests.factories import import_seed, make_member

pytestmark = pytest.mark.django_db


def run_migration_function(module_name: str, function_name: str) -> None:
    """Call a migration's RunPython function with the historical models it runs with in `migrate`."""
    module = importlib.import_module(f"annotations.migrations.{module_name}")
    state = MigrationLoader(connection).project_state(module.Migration.dependencies)
    getattr(module, function_name)(state.apps, SimpleNamespace(connection=connection))


def found_by_readers(article, words: str) -> bool:
    return article.pk in [pk for pk, _ in search.search_articles(parse_query(words)).ranked]


# --------------------------------------------------------------------------- 0007: replies narrowed to their thread


def note(article, user, quote: str, body: str, visibility: str) -> Annotation:
    return annotation_create(
        article=article,
        creator=user,
        motivation="commenting",
        selectors=Selectors(exact=quote),
        body=Body(body),
        visibility=visibility,
    )


def old_reply(parent: Annotation, user, body: str, visibility: str) -> Annotation:
    """A reply as rows written before the clamp may be: `visibility` whatever its note's."""
    reply = annotation_create(
        article=parent.article, creator=user, motivation="replying", parent=parent, body=Body(body)
    )
    Annotation.objects.filter(pk=reply.pk).update(visibility=visibility)
    return Annotation.objects.get(pk=reply.pk)


def test_replies_wider_than_their_note_are_narrowed_and_leave_the_search_and_the_protocol():
    seed, editor = import_seed(), make_member("editor", "Editor")
    editors_note = note(seed, editor, "calm the winds", "An editors' note", "editors")
    private_note = note(seed, editor, "strategic destination", "A private note", "private")
    public_note = note(seed, editor, "Vladimir Putin", "A public note", "public")
    leaked = old_reply(editors_note, editor, "Osmium-reply-under-an-editors-note", "public")
    deeper = old_reply(leaked, editor, "Iridium-reply-to-that-reply", "public")
    under_private = old_reply(private_note, editor, "Hafnium-reply-under-a-private-note", "editors")
    fine = old_reply(public_note, editor, "Rhodium-reply-in-a-public-thread", "public")
    search.search_index_update(article_ids=[seed.pk])
    container = reverse("annotations:container", args=[seed.slug])
    assert found_by_readers(seed, "Osmium-reply-under-an-editors-note")  # the leak being repaired
    assert "Osmium" in Client().get(container).content.decode()

    run_migration_function("0007_narrow_replies_to_their_thread", "narrow_replies_to_their_thread")

    after = {a.pk: a for a in Annotation.objects.filter(parent__isnull=False)}
    assert after[leaked.pk].visibility == "editors" and after[leaked.pk].version == leaked.version + 1
    assert after[deeper.pk].visibility == "editors"  # follows its parent, narrowed in the same run
    assert after[under_private.pk].visibility == "private"
    assert after[fine.pk].visibility == "public" and after[fine.pk].version == fine.version
    for secret in ("Osmium-reply-under-an-editors-note", "Iridium-reply-to-that-reply"):
        assert not found_by_readers(seed, secret), secret
    assert found_by_readers(seed, "Rhodium-reply-in-a-public-thread")
    body = Client().get(container).content.decode()
    assert "Osmium" not in body and "Iridium" not in body and "Rhodium" in body

    versions = dict(Annotation.objects.values_list("pk", "version"))
    run_migration_function("0007_narrow_replies_to_their_thread", "narrow_replies_to_their_thread")
    assert dict(Annotation.objects.values_list("pk", "version")) == versions  # nothing left to narrow


# --------------------------------------------------------------------------- 0008: tags follow public mentions


def test_tags_of_non_public_mentions_go_and_missing_tags_of_public_ones_come():
    seed, editor = import_seed(), make_member("editor", "Editor")
    hidden = entity_create(name="Alexander Lukashenko", aliases=["Scandium-alias"])
    untagged = entity_create(name="Vladimir Putin", aliases=["Yttrium-alias"])
    explicit = entity_create(name="Kremlin", aliases=["Cerium-alias"])
    kept = entity_create(name="Mike Pompeo", aliases=["Lanthanum-alias"])
    for quote, entity, visibility in [
        ("Lukashenko", hidden, "editors"),
        ("Putin", untagged, "public"),
        ("Pompeo", kept, "public"),
    ]:
        mention_create(
            article=seed, user=editor, selectors=Selectors(exact=quote), entity=entity, visibility=visibility
        )
    # What the old rule left: a tag for the editors' mention, none for a public one.
    TaggedEntity.objects.create(content_object=seed, tag=hidden, by_mention=True)
    TaggedEntity.objects.filter(tag=untagged).delete()
    entity_tag_add(article=seed, entity=explicit, user=editor)
    search.search_index_update(article_ids=[seed.pk])
    assert found_by_readers(seed, "Scandium-alias")  # the leak being repaired
    assert Client().get(hidden.get_absolute_url()).status_code == 200

    run_migration_function("0008_tags_follow_public_mentions", "tags_follow_public_mentions")

    tags = dict(TaggedEntity.objects.filter(content_object=seed).values_list("tag_id", "by_mention"))
    assert tags == {untagged.pk: True, explicit.pk: False, kept.pk: True}
    assert not found_by_readers(seed, "Scandium-alias")
    assert all(found_by_readers(seed, f"{word}-alias") for word in ("Yttrium", "Cerium", "Lanthanum"))
    assert seed.headline not in Client().get(hidden.get_absolute_url()).content.decode()

    rows = sorted(TaggedEntity.objects.values_list("pk", "tag_id", "by_mention"))
    run_migration_function("0008_tags_follow_public_mentions", "tags_follow_public_mentions")
    assert sorted(TaggedEntity.objects.values_list("pk", "tag_id", "by_mention")) == rows
