"""The workspace's other passage forms without JavaScript: corrections, entity tags, links; and their lookups."""

import json

import pytest
from django.urls import reverse

from annotations.models import Annotation, ArticleLink, Correction, Entity, ExternalLink, TaggedEntity
from annotations.services.corrections import correction_accept, correction_propose
from annotations.services.entities import entities_load
from annotations.services.entity_suggestions import entities_suggest
from tests.factories import SEED_PATH, import_seed, make_article, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return import_seed(publish=False)


@pytest.fixture
def editor(client):
    user = make_member("ed", "Editor")
    client.force_login(user)
    return user


@pytest.fixture
def entities():
    entities_load(records=json.loads((SEED_PATH.parent / "entities.json").read_text()))


def url(name, article):
    return reverse(f"editor:{name}", args=[article.slug])


def span_of(article, quote, occurrence=1):
    text, start = article.current_revision.text, -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


# --------------------------------------------------------------------------- corrections


def propose(client, article, quote, replacement, **extra):
    data = {"quote": quote, "occurrence": 1, "replacement": replacement, "category": "terminology"}
    data |= {"severity": "major", "reason": "", "revision": article.current_revision.number} | extra
    return client.post(url("correction_create", article), {f"correction-{k}": v for k, v in data.items()})


def test_a_correction_is_proposed_from_the_typed_words(client, editor, seed):
    response = propose(client, seed, "Belchett", "Bachelet")
    correction = Correction.objects.select_related("annotation").get()
    assert response.status_code == 302 and response["Location"].endswith(f"#annotation-{correction.annotation_id}")
    assert (correction.annotation.exact, correction.replacement, correction.state) == (
        "Belchett",
        "Bachelet",
        "proposed",
    )
    html = client.get(response["Location"]).content.decode()
    assert "Correction proposed: “Belchett” → “Bachelet”" in html and "hl-editing" in html


def test_the_offsets_of_a_selection_pick_the_occurrence(client, editor, seed):
    start, end = span_of(seed, "Tikhnovskaya", 2)
    propose(client, seed, "Tikhnovskaya", "Tsikhanouskaya", start=start, end=end)
    assert Correction.objects.get().annotation.start == start


def test_a_bad_proposal_shows_the_form_again_with_the_reason(client, editor, seed):
    response = propose(client, seed, "Belchett", "Belchett")
    html = response.content.decode()
    assert response.status_code == 400 and "Nothing was proposed: the replacement is the same" in html
    assert 'id="correction-action" open' in html and not Correction.objects.exists()
    assert propose(client, seed, "Bachelet", "x").status_code == 400


def test_a_proposal_on_an_older_revision_moves_to_the_current_text(client, editor, seed):
    reviewer = make_member("rev", "Reviewer")
    spoke = correction_propose(
        article=seed, proposer=editor, replacement="spoke", category="markup", span=span_of(seed, "Spoke")
    )
    correction_accept(correction=spoke, reviewer=reviewer)
    propose(client, seed, "Belchett", "Bachelet", revision=1)
    seed.refresh_from_db()
    annotation = Correction.objects.get(replacement="Bachelet").annotation
    assert annotation.revision_id == seed.current_revision_id and annotation.exact == "Belchett"


# --------------------------------------------------------------------------- review


def test_reviewers_accept_a_batch_as_one_revision_per_article(client, seed):
    editor = make_member("ed", "Editor")
    other = make_article("Another report")
    first = correction_propose(
        article=seed, proposer=editor, replacement="Bachelet", category="terminology", span=span_of(seed, "Belchett")
    )
    second = correction_propose(
        article=seed, proposer=editor, replacement="spoke", category="markup", span=span_of(seed, "Spoke")
    )
    third = correction_propose(
        article=other, proposer=editor, replacement="Paragraph", category="markup", span=span_of(other, "paragraph")
    )
    client.force_login(make_member("rev", "Reviewer"))
    ids = [first.pk, second.pk, third.pk]
    response = client.post(reverse("editor:review"), {"corrections": ids, "decision": "accept"}, follow=True)
    html = response.content.decode()
    assert f"{seed.headline}: 2 correction(s) accepted as revision 2" in html
    assert "Another report: 1 correction(s) accepted as revision 2" in html
    assert set(Correction.objects.values_list("state", flat=True)) == {"accepted"}
    seed.refresh_from_db()
    assert "Bachelet" in seed.current_revision.text and "Spoke" not in seed.current_revision.text


def test_rejecting_and_the_self_review_rule(client, seed):
    reviewer = make_member("rev", "Reviewer")
    own = correction_propose(
        article=seed, proposer=reviewer, replacement="Bachelet", category="terminology", span=span_of(seed, "Belchett")
    )
    client.force_login(reviewer)
    html = client.post(
        reverse("editor:review"), {"corrections": [own.pk], "decision": "accept"}, follow=True
    ).content.decode()
    assert "nothing was accepted: you proposed correction" in html
    client.post(reverse("editor:review"), {"corrections": [own.pk], "decision": "accept", "self_review": "1"})
    own.refresh_from_db()
    assert own.state == "accepted"
    other = correction_propose(
        article=seed, proposer=reviewer, replacement="spoke", category="markup", span=span_of(seed, "Spoke")
    )
    client.post(reverse("editor:review"), {"corrections": [other.pk], "decision": "reject", "note": "keep"})
    other.refresh_from_db()
    assert (other.state, other.reviewer_note) == ("rejected", "keep")


def test_editors_cannot_review_and_next_stays_on_this_site(client, editor, seed):
    correction = correction_propose(
        article=seed, proposer=editor, replacement="Bachelet", category="terminology", span=span_of(seed, "Belchett")
    )
    assert (
        client.post(reverse("editor:review"), {"corrections": [correction.pk], "decision": "accept"}).status_code == 403
    )
    client.force_login(make_member("rev", "Reviewer"))
    response = client.post(
        reverse("editor:review"), {"corrections": [], "decision": "accept", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("editor:dashboard")


def test_the_review_queue_lists_open_corrections_and_suggestions_in_flat_queries(
    client, entities, django_assert_max_num_queries
):
    seed = import_seed(publish=False)
    entities_suggest(articles=[seed])
    editor = make_member("ed", "Editor")
    correction_propose(
        article=seed, proposer=editor, replacement="Bachelet", category="terminology", span=span_of(seed, "Belchett")
    )
    client.force_login(make_member("rev", "Reviewer"))
    with django_assert_max_num_queries(12) as baseline:
        html = client.get(reverse("editor:dashboard")).content.decode()
    count = len(baseline.captured_queries)
    assert 'aria-label="Select “Belchett” → “Bachelet”"' in html and "Accept checked" in html
    assert "Michelle Belchett" in html and "Confirm checked" in html
    for n in range(10):
        article = make_article(f"Report {n}", publish=False)
        correction_propose(
            article=article,
            proposer=editor,
            replacement="Paragraph",
            category="markup",
            span=span_of(article, "paragraph"),
        )
    with django_assert_max_num_queries(count):
        html = client.get(reverse("editor:dashboard") + "?review-source=editor").content.decode()
    assert html.count('name="corrections"') == 11


def test_entity_suggestions_are_confirmed_or_dismissed_in_a_batch(client, entities):
    seed = import_seed(publish=False)
    entities_suggest(articles=[seed])
    suggestions = list(seed.entity_suggestions.filter(entity__isnull=False).order_by("pk")[:3])
    client.force_login(make_member("rev", "Reviewer"))
    ids = [s.pk for s in suggestions]
    response = client.post(
        reverse("editor:suggestions_review"), {"suggestions": ids[:2], "decision": "confirm"}, follow=True
    )
    assert "2 suggestion(s) confirmed." in response.content.decode()
    client.post(reverse("editor:suggestions_review"), {"suggestions": ids[2:], "decision": "dismiss"})
    states = [s.state for s in seed.entity_suggestions.filter(pk__in=ids).order_by("pk")]
    assert states == ["confirmed", "confirmed", "dismissed"]
    client.force_login(make_member("ed", "Editor"))
    assert client.post(reverse("editor:suggestions_review"), {"suggestions": ids}).status_code == 403


# --------------------------------------------------------------------------- entities


def tag(client, article, quote, entity, kind="", **extra):
    data = {"quote": quote, "occurrence": 1, "entity": entity, "kind": kind} | extra
    return client.post(url("entity_tag", article), {f"entity-{k}": v for k, v in data.items()})


def test_a_passage_is_tagged_with_an_entity_found_by_alias(client, editor, entities, seed):
    response = tag(client, seed, "Lukashenko", "lukashenko", "person")
    assert response.status_code == 302
    mention = Annotation.objects.get(motivation="identifying")
    assert mention.entity.name == "Alexander Lukashenko" and mention.exact == "Lukashenko"
    assert TaggedEntity.objects.filter(content_object=seed, tag=mention.entity, by_mention=True).exists()


def test_a_new_entity_needs_its_kind(client, editor, seed):
    response = tag(client, seed, "Vasily Fedosenko", "Vasily Fedosenko")
    assert response.status_code == 400 and "choose the kind of the new entity" in response.content.decode()
    tag(client, seed, "Vasily Fedosenko", "Vasily Fedosenko", "person")
    assert Entity.objects.get().kind == "person" and Annotation.objects.get().entity.name == "Vasily Fedosenko"


def test_entity_lookup_matches_names_and_aliases(client, editor, entities):
    results = client.get(reverse("editor:entity_lookup"), {"q": "tikhan"}).json()["results"]
    assert results == [{"value": "Sviatlana Tsikhanouskaya", "label": "Person · also “Svetlana Tikhanovskaya”"}]
    assert client.get(reverse("editor:entity_lookup"), {"q": "P"}).json() == {"results": []}


# --------------------------------------------------------------------------- links


def link(client, article, **data):
    data = {"quote": "", "occurrence": 1, "target": "", "kind": "background", "url": "", "title": "", "note": ""} | data
    return client.post(url("link_create", article), {f"link-{k}": v for k, v in data.items()})


def test_an_archive_article_is_linked_from_a_passage_by_headline(client, editor, seed):
    earlier = make_article("Belarus election day report")
    response = link(client, seed, quote="Lukashenko", target=earlier.headline, kind="background")
    assert response.status_code == 302
    row = ArticleLink.objects.select_related("annotation").get()
    assert (row.source, row.target, row.kind, row.annotation.exact) == (seed, earlier, "background", "Lukashenko")
    html = client.get(response["Location"]).content.decode()
    assert "Linked: Background: Belarus election day report" in html


def test_external_coverage_is_linked_to_the_whole_article(client, editor, seed):
    response = link(client, seed, url="https://example.org/belarus", title="Belarus votes")
    assert response.status_code == 302
    assert ExternalLink.objects.get().annotation is None
    assert link(client, seed, url="javascript:alert(1)", title="x").status_code == 400
    assert link(client, seed, target="No such headline").status_code == 400
    assert link(client, seed).status_code == 400  # neither an article nor a URL


def test_article_lookup_finds_visible_articles_by_headline(client, editor, seed):
    make_article("Belarus election day report")
    results = client.get(reverse("editor:article_lookup"), {"q": "election day"}).json()["results"]
    assert [r["value"] for r in results] == ["Belarus election day report"]


# --------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize("name", ["correction_create", "entity_tag", "link_create"])
def test_anonymous_users_sign_in_and_readers_are_refused(client, seed, name):
    response = client.post(url(name, seed), {})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(make_member("x", "Editor").__class__.objects.create_user("reader", password="pw-long-enough"))
    assert client.post(url(name, seed), {}).status_code == 403


def test_anonymous_lookups_and_reviews_are_refused(client):
    for name in ("entity_lookup", "article_lookup", "review", "suggestions_review"):
        response = client.post(reverse(f"editor:{name}")) if "review" in name else client.get(reverse(f"editor:{name}"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
