"""Entities: the seed fixture, suggestions on the seed, mentions that tag articles, merges."""

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from annotations.anchoring import Selectors
from annotations.models import Annotation, Entity, EntitySuggestion, TaggedEntity
from annotations.search import search_articles
from annotations.search_query import parse_query
from annotations.services.annotating import annotation_delete, annotation_update
from annotations.services.entities import (
    EntityError,
    article_entities_sync,
    entities_load,
    entity_create,
    entity_merge,
    entity_tag_add,
    entity_tag_remove,
    mention_create,
    mention_delete,
)
from annotations.services.entity_suggestions import entities_suggest, suggestion_confirm, suggestion_dismiss
from archive.services import article_import
from tests.factories import import_seed, make_member

pytestmark = pytest.mark.django_db

ENTITY_RECORDS = json.loads(
    (__import__("pathlib").Path(__file__).resolve().parents[2] / "seeds" / "entities.json").read_text("utf-8")
)
SEED_ENTITIES = [
    "Alexander Lukashenko",
    "Vladimir Putin",
    "Mike Pompeo",
    "Michelle Bachelet",
    "Sviatlana Tsikhanouskaya",
    "Belarus",
    "Russia",
    "Poland",
    "Lithuania",
    "European Union",
    "NATO",
    "United Nations",
    "Kremlin",
]


@pytest.fixture
def entities():
    entities_load(records=ENTITY_RECORDS)
    return {entity.name: entity for entity in Entity.objects.all()}


@pytest.fixture
def seed():
    return import_seed()


@pytest.fixture
def reviewer():
    return make_member("reviewer", "Reviewer")


@pytest.fixture
def editor():
    return make_member("editor", "Editor")


def selectors_of(article, quote, occurrence=0):
    text = article.current_revision.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return Selectors(exact=quote, start=start, end=start + len(quote))


# --------------------------------------------------------------------------- the fixture


def test_loading_the_fixture_is_idempotent_and_keeps_editors_work(entities):
    assert len(entities) == len(ENTITY_RECORDS)
    putin = entities["Vladimir Putin"]
    assert (putin.kind, putin.wikidata_id, putin.slug) == ("person", "Q7747", "vladimir-putin")
    Entity.objects.filter(pk=putin.pk).update(description="Edited by an editor.", aliases=["Putin"])
    result = entities_load(records=ENTITY_RECORDS)
    assert (result.created, result.updated) == (0, 1)
    putin.refresh_from_db()
    assert putin.description == "Edited by an editor."
    assert putin.aliases == ["Putin", "Vladimir Vladimirovich Putin"]
    assert str(entities_load(records=ENTITY_RECORDS)) == f"0 created, 0 updated, {len(ENTITY_RECORDS)} unchanged"


def test_load_entities_command_dry_run_and_summary(tmp_path):
    out = StringIO()
    call_command("load_entities", "--dry-run", stdout=out)
    assert "would be" in out.getvalue() and not Entity.objects.exists()
    call_command("load_entities", stdout=out)
    assert f"{len(ENTITY_RECORDS)} created" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"name": "Nowhere", "kind": "place", "wikidata": "X12"}]))
    with pytest.raises(Exception, match="record 1 .*Q followed by digits"):
        call_command("load_entities", "--path", str(bad), stdout=out)
    assert not Entity.objects.filter(name="Nowhere").exists()


def test_entity_create_refuses_a_taken_name_and_a_bad_wikidata_id():
    entity_create(name="Minsk", kind="place")
    with pytest.raises(EntityError, match="already exists"):
        entity_create(name="minsk")
    with pytest.raises(EntityError, match="Wikidata"):
        entity_create(name="Grodno", wikidata_id="Q0x")


# --------------------------------------------------------------------------- suggestions


def test_seed_suggestions_find_the_people_places_and_organisations(entities, seed):
    run = entities_suggest(articles=[seed])
    found = {}
    for suggestion in EntitySuggestion.objects.filter(entity__isnull=False).select_related("entity"):
        found.setdefault(suggestion.entity.name, set()).add(suggestion.found)
    assert set(SEED_ENTITIES) <= set(found)
    assert found["Michelle Bachelet"] == {"Michelle Belchett"}
    assert found["Sviatlana Tsikhanouskaya"] == {"Svetlana Tikhnovskaya", "Tiknovskaya", "Tikhnovskaya"}
    assert found["European Union"] == {"European Union", "EU"} and found["United Nations"] == {"UN"}
    proposals = set(EntitySuggestion.objects.filter(entity__isnull=True).values_list("proposed_name", flat=True))
    assert {"Sergei Gapon", "German Foreign Ministry"} <= proposals
    assert run.known == EntitySuggestion.objects.filter(entity__isnull=False).count() and run.proposed == len(proposals)


def test_suggestions_are_stored_once_and_dismissals_remembered(entities, seed, reviewer):
    entities_suggest(articles=[seed])
    count = EntitySuggestion.objects.count()
    again = entities_suggest(articles=[seed])
    assert (again.known, again.proposed) == (0, 0) and EntitySuggestion.objects.count() == count
    putin = EntitySuggestion.objects.get(found="Putin")
    credit = EntitySuggestion.objects.get(proposed_name="Sergei Gapon")
    suggestion_dismiss(suggestion=putin, user=reviewer)
    suggestion_dismiss(suggestion=credit, user=reviewer)
    entities_suggest(articles=[seed])
    assert EntitySuggestion.objects.filter(found="Putin").get().state == "dismissed"
    # A dismissed new-entity name is not proposed in other articles either.
    data = b"Another report\n\nPhotographer Sergei Gapon and Ivan Petrov of Grodno Weekly met Putin.\n"
    other = article_import(data=data, filename="other.txt", publish=True).article
    entities_suggest(articles=[other])
    assert not EntitySuggestion.objects.filter(article=other, proposed_name="Sergei Gapon").exists()
    assert EntitySuggestion.objects.filter(article=other, found="Putin", state="pending").exists()
    with pytest.raises(EntityError, match="already dismissed"):
        suggestion_confirm(suggestion=putin, user=reviewer)


def test_confirming_every_seed_suggestion_mentions_and_tags_them(entities, seed, reviewer):
    entities_suggest(articles=[seed])
    for suggestion in EntitySuggestion.objects.filter(entity__isnull=False):
        suggestion_confirm(suggestion=suggestion, user=reviewer)
    tagged = set(seed.entities.values_list("name", flat=True))
    assert set(SEED_ENTITIES) <= tagged
    assert TaggedEntity.objects.filter(content_object=seed, by_mention=False).count() == 0
    lukashenko = Annotation.objects.filter(entity=entities["Alexander Lukashenko"])
    text = seed.current_revision.text
    assert lukashenko.count() == text.count("Lukashenko") == 7
    assert {m.motivation for m in lukashenko} == {"identifying"}
    assert {text[m.start : m.end] for m in lukashenko} == {"Lukashenko", "Alexander Lukashenko"}
    assert {m.visibility for m in lukashenko} == {"public"}
    confirmed = EntitySuggestion.objects.filter(state="confirmed")
    assert confirmed.count() == 20 and not confirmed.filter(mention__isnull=True).exists()


def test_confirming_a_proposal_creates_the_entity_and_names_it_elsewhere(entities, seed, reviewer):
    data = b"Ministry statement\n\nThe German Foreign Ministry spoke again about Belarus.\n"
    other = article_import(data=data, filename="ministry.txt", publish=True).article
    entities_suggest(articles=[seed, other])
    proposal = EntitySuggestion.objects.get(article=seed, proposed_name="German Foreign Ministry")
    mentions = suggestion_confirm(suggestion=proposal, user=reviewer, kind="organization")
    ministry = Entity.objects.get(name="German Foreign Ministry")
    assert ministry.kind == "organization" and len(mentions) == 1 and mentions[0].entity == ministry
    elsewhere = EntitySuggestion.objects.get(article=other, found="German Foreign Ministry")
    assert (elsewhere.entity, elsewhere.proposed_name, elsewhere.state) == (ministry, "", "pending")


def test_confirming_a_proposal_as_an_existing_entity_teaches_the_spelling(entities, seed, reviewer):
    data = b"Statement\n\nA statement of the Evropean Union was read in Minsk by its envoy.\n"
    other = article_import(data=data, filename="statement.txt", publish=True).article
    entities_suggest(articles=[other])
    proposal = EntitySuggestion.objects.get(article=other, proposed_name="Evropean Union")
    union = entities["European Union"]
    suggestion_confirm(suggestion=proposal, user=reviewer, entity=union)
    union.refresh_from_db()
    assert "Evropean Union" in union.aliases and not Entity.objects.filter(name="Evropean Union").exists()
    assert list(other.entities.all()) == [union]
    entities_suggest(articles=[seed, other])
    assert EntitySuggestion.objects.filter(found="Evropean Union").count() == 1


def test_only_reviewers_decide_suggestions(entities, seed, editor):
    entities_suggest(articles=[seed])
    suggestion = EntitySuggestion.objects.get(found="Putin")
    with pytest.raises(PermissionDenied):
        suggestion_confirm(suggestion=suggestion, user=editor)
    with pytest.raises(PermissionDenied):
        suggestion_dismiss(suggestion=suggestion, user=editor)


def test_suggestions_run_on_import(entities, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed = import_seed()
    assert EntitySuggestion.objects.filter(article=seed, entity__name="Vladimir Putin").exists()


def test_suggest_entities_command(entities, seed):
    out = StringIO()
    call_command("suggest_entities", "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and not EntitySuggestion.objects.exists()
    call_command("suggest_entities", "--article", seed.slug, stdout=out)
    assert "1 article(s)" in out.getvalue() and EntitySuggestion.objects.filter(article=seed).exists()
    with pytest.raises(Exception, match="no article"):
        call_command("suggest_entities", "--article", "missing", stdout=out)


# --------------------------------------------------------------------------- mentions and tags


def test_the_last_mention_takes_its_tag_unless_tagged_at_article_level(entities, seed, editor):
    putin, russia = entities["Vladimir Putin"], entities["Russia"]
    first = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Putin"), entity=putin)
    second = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Putin", 1), entity=putin)
    assert first.entity == putin and first.motivation == "identifying"
    assert list(seed.entities.all()) == [putin]
    mention_delete(mention=first, user=editor)
    assert list(seed.entities.all()) == [putin]
    mention_delete(mention=second, user=editor)
    assert list(seed.entities.all()) == []
    entity_tag_add(article=seed, entity=russia, user=editor)
    mention = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Russia"), entity=russia)
    with pytest.raises(EntityError, match="still mentions Russia in 1 public passage"):
        entity_tag_remove(article=seed, entity=russia, user=editor)
    mention_delete(mention=mention, user=editor)
    assert list(seed.entities.all()) == [russia]
    entity_tag_remove(article=seed, entity=russia, user=editor)
    assert list(seed.entities.all()) == []


def test_sync_repairs_tags_after_annotations_changed_elsewhere(entities, seed, editor):
    putin = entities["Vladimir Putin"]
    mention = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Putin"), entity=putin)
    Annotation.objects.filter(pk=mention.pk).delete()
    TaggedEntity.objects.create(content_object=seed, tag=entities["Poland"], by_mention=False)
    article_entities_sync(article=seed)
    assert list(seed.entities.all()) == [entities["Poland"]]
    Annotation.objects.create(
        article=seed,
        revision=seed.current_revision,
        motivation="identifying",
        entity=putin,
        start=0,
        end=7,
        creator=editor,
        visibility="public",
    )
    article_entities_sync(article=seed)
    assert set(seed.entities.all()) == {putin, entities["Poland"]}
    Annotation.objects.filter(entity=putin).update(visibility="editors")
    article_entities_sync(article=seed)
    assert list(seed.entities.all()) == [entities["Poland"]]  # an editors' mention tags nothing


def tag_of(article, entity):
    """(by_mention,) of the article's tag with the entity, or None when it is not tagged."""
    return TaggedEntity.objects.filter(content_object=article, tag=entity).values_list("by_mention", flat=True).first()


def test_only_public_mentions_tag_the_article_and_the_tag_follows_their_visibility(
    seed, editor, client, django_capture_on_commit_callbacks
):
    putin = entity_create(name="Vladimir Putin", kind="person", aliases=["Tungstenovich"])
    chip = f'href="{putin.get_absolute_url()}"'

    def readers_find_alias() -> bool:
        return seed.pk in [pk for pk, _ in search_articles(parse_query("Tungstenovich")).ranked]

    with django_capture_on_commit_callbacks(execute=True):
        hidden = mention_create(
            article=seed, user=editor, selectors=selectors_of(seed, "Putin"), entity=putin, visibility="editors"
        )
    assert tag_of(seed, putin) is None and not readers_find_alias()
    assert chip not in client.get(seed.get_absolute_url()).content.decode()  # cached for readers now
    with django_capture_on_commit_callbacks(execute=True):
        public = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Putin", 1), entity=putin)
    assert tag_of(seed, putin) is True and readers_find_alias()
    assert chip in client.get(seed.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        annotation_update(annotation=public, user=editor, expected_version=public.version, visibility="private")
    assert tag_of(seed, putin) is None, "the last public mention became private: the tag goes"
    assert not readers_find_alias() and chip not in client.get(seed.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        annotation_update(annotation=hidden, user=editor, expected_version=hidden.version, visibility="public")
    assert tag_of(seed, putin) is True and readers_find_alias()
    with django_capture_on_commit_callbacks(execute=True):
        annotation_delete(annotation=hidden, user=editor)  # as the protocol and the workspace delete
    assert tag_of(seed, putin) is None and not readers_find_alias()


def test_an_article_level_tag_stays_and_goes_whatever_the_non_public_mentions(seed, editor):
    russia = entity_create(name="Russia", kind="place")
    entity_tag_add(article=seed, entity=russia, user=editor)
    mention = mention_create(
        article=seed, user=editor, selectors=selectors_of(seed, "Russia"), entity=russia, visibility="editors"
    )
    annotation_update(annotation=mention, user=editor, expected_version=mention.version, visibility="public")
    mention.refresh_from_db()
    annotation_update(annotation=mention, user=editor, expected_version=mention.version, visibility="editors")
    assert tag_of(seed, russia) is False  # still the editor's article-level tag
    entity_tag_remove(article=seed, entity=russia, user=editor)  # an editors' mention does not hold it
    assert tag_of(seed, russia) is None


def test_a_mention_deleted_through_the_protocol_takes_its_tag(seed, editor, client):
    putin = entity_create(name="Vladimir Putin", kind="person")
    mention = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Putin"), entity=putin)
    client.force_login(editor)
    response = client.delete(f"/annotations/{mention.pk}", headers={"If-Match": mention.etag})
    assert response.status_code == 204 and tag_of(seed, putin) is None


def test_mentions_need_the_editor_permissions(entities, seed):
    stranger = make_member("stranger", "Reviewer")
    stranger.groups.clear()
    with pytest.raises(PermissionDenied):
        mention_create(article=seed, user=stranger, selectors=selectors_of(seed, "Putin"), entity=entities["Russia"])


# --------------------------------------------------------------------------- merging


def test_merge_moves_names_mentions_tags_and_suggestions(seed, editor, reviewer):
    entities_load(records=ENTITY_RECORDS)
    duplicate = entity_create(name="Svetlana Tikhanovskaya 2", kind="person", aliases=["S. Tikhanovskaya"])
    target = Entity.objects.get(name="Sviatlana Tsikhanouskaya")
    mention = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Tiknovskaya"), entity=duplicate)
    entity_tag_add(article=seed, entity=target, user=editor)
    EntitySuggestion.objects.create(article=seed, entity=duplicate, found="Tikhnovskaya", start=0, end=1)
    EntitySuggestion.objects.create(article=seed, entity=target, found="Tikhnovskaya", start=0, end=1)
    EntitySuggestion.objects.create(article=seed, entity=duplicate, found="Tikhanovskaya", start=0, end=1)
    older = entity_create(name="Older duplicate")
    entity_merge(source=older, target=duplicate, user=reviewer)
    entity_merge(source=duplicate, target=target, user=reviewer)
    target.refresh_from_db()
    duplicate.refresh_from_db()
    older.refresh_from_db()
    assert duplicate.merged_into == target and older.merged_into == target
    assert {"Svetlana Tikhanovskaya 2", "S. Tikhanovskaya", "Older duplicate"} <= set(target.aliases)
    mention.refresh_from_db()
    assert mention.entity == target
    tags = TaggedEntity.objects.filter(content_object=seed)
    assert [(t.tag_id, t.by_mention) for t in tags] == [(target.pk, False)]
    assert sorted(EntitySuggestion.objects.filter(article=seed).values_list("entity_id", "found")) == [
        (target.pk, "Tikhanovskaya"),
        (target.pk, "Tikhnovskaya"),
    ]


def test_merge_refuses_itself_merged_entities_and_non_reviewers(editor, reviewer):
    one, two, three = (entity_create(name=name) for name in ("One", "Two", "Three"))
    with pytest.raises(EntityError, match="into itself"):
        entity_merge(source=one, target=one, user=reviewer)
    with pytest.raises(PermissionDenied):
        entity_merge(source=one, target=two, user=editor)
    entity_merge(source=one, target=two, user=reviewer)
    with pytest.raises(EntityError, match="already merged"):
        entity_merge(source=one, target=three, user=reviewer)
    with pytest.raises(EntityError, match="merge into that one instead"):
        entity_merge(source=three, target=one, user=reviewer)


def test_mentions_of_a_merged_entity_go_to_its_target(seed, editor, reviewer):
    one, two = entity_create(name="Belarus", kind="place"), entity_create(name="Belarus (country)", kind="place")
    entity_merge(source=two, target=one, user=reviewer)
    mention = mention_create(article=seed, user=editor, selectors=selectors_of(seed, "Belarus"), entity=two)
    assert mention.entity == one


# --------------------------------------------------------------------------- admin


@pytest.fixture
def admin_client_reviewer(client):
    user = make_member("chief", "Reviewer")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


def test_admin_merge_action_asks_for_the_target_then_merges(admin_client_reviewer):
    keep, drop = entity_create(name="Sviatlana Tsikhanouskaya", kind="person"), entity_create(name="Tikhanovskaya")
    url = "/admin/annotations/entity/"
    data = {"action": "merge_selected", "_selected_action": [keep.pk, drop.pk]}
    page = admin_client_reviewer.post(url, data)
    assert page.status_code == 200 and b"Choose the entity to keep" in page.content
    response = admin_client_reviewer.post(url, {**data, "target": keep.pk})
    assert response.status_code == 302
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.merged_into == keep and keep.aliases == ["Tikhanovskaya"]
    assert admin_client_reviewer.get(drop.get_absolute_url()).status_code == 301


def test_admin_confirms_suggestions_and_searches_aliases(admin_client_reviewer, entities, seed):
    entities_suggest(articles=[seed])
    pending = EntitySuggestion.objects.filter(entity__name="Michelle Bachelet")
    response = admin_client_reviewer.post(
        "/admin/annotations/entitysuggestion/",
        {"action": "confirm_selected", "_selected_action": list(pending.values_list("pk", flat=True))},
    )
    assert response.status_code == 302 and pending.get().state == "confirmed"
    assert list(seed.entities.all()) == [entities["Michelle Bachelet"]]
    found = admin_client_reviewer.get("/admin/annotations/entity/", {"q": "Belchett"}).content.decode()
    assert "Michelle Bachelet" in found and "Alexander Lukashenko" not in found
    autocomplete = admin_client_reviewer.get(
        "/admin/autocomplete/",
        {"term": "Tikhnov", "app_label": "annotations", "model_name": "taggedentity", "field_name": "tag"},
    )
    assert autocomplete.status_code == 200 and "Sviatlana Tsikhanouskaya" in autocomplete.content.decode()


def test_admin_edits_of_an_entity_go_through_the_service(admin_client_reviewer):
    entity = entity_create(name="Minsk", kind="place")
    url = f"/admin/annotations/entity/{entity.pk}/change/"
    data = {"name": "Minsk", "kind": "place", "aliases": "Mensk\nMinsk\n", "wikidata_id": "Q2280", "description": ""}
    assert admin_client_reviewer.post(url, data).status_code == 302
    entity.refresh_from_db()
    assert (entity.aliases, entity.wikidata_id, entity.slug) == (["Mensk"], "Q2280", "minsk")
