"""Related-article suggestions: the second report on the same events ranks first, and says why."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from annotations.models import EntitySuggestion
from annotations.related import related_suggestions
from annotations.search_query import key_terms
from annotations.services.entities import entities_load
from annotations.services.entity_suggestions import suggestion_confirm
from annotations.services.links import article_link_create
from archive.models import Article
from archive.services import article_import
from tests.factories import import_seed, make_member

pytestmark = pytest.mark.django_db

RECORDS = json.loads((Path(__file__).resolve().parents[2] / "seeds" / "entities.json").read_text("utf-8"))

SAME_EVENTS = """Tikhanovskaya leaves Belarus for Lithuania as riots continue

Opposition candidate Svetlana Tikhanovskaya has left Belarus for neighbouring Lithuania, her campaign said, \
after a night of riots in Minsk that followed the disputed election. Alexander Lukashenko claimed more than \
80% of the vote. The police arrested thousands of protesters and used rubber bullets against the riots.

Lithuania's foreign minister said Tikhanovskaya was safe in Vilnius. The European Union called the election \
neither free nor fair, and the Kremlin said Vladimir Putin had congratulated Lukashenko on his victory.
"""

OTHERS = {
    "putin-gas.txt": "Putin and Macron discuss gas prices\n\nVladimir Putin spoke with Emmanuel Macron about gas "
    "supplies to Europe and the price of winter heating in Russia and France.\n",
    "eu-budget.txt": "European Union agrees on a budget\n\nThe European Union agreed on its seven-year budget after "
    "four days of talks in Brussels; the recovery fund was the hardest question.\n",
    "weather.txt": "Heat wave in Spain\n\nTemperatures reached 44 degrees in Seville, and the authorities warned "
    "older people to stay inside during the afternoon.\n",
    "poland-football.txt": "Poland wins in Warsaw\n\nPoland beat Lithuania two goals to one in a friendly match in "
    "Warsaw, with a late goal from the captain.\n",
}


def import_text(filename: str, text: str) -> Article:
    return article_import(data=text.encode(), filename=filename, publish=True).article


@pytest.fixture
def archive(django_capture_on_commit_callbacks):
    """The seed, a second report on the same events and unrelated articles: suggested and indexed on import."""
    entities_load(records=RECORDS)
    with django_capture_on_commit_callbacks(execute=True):
        seed = import_seed()
        same = import_text("same-events.txt", SAME_EVENTS)
        others = [import_text(name, text) for name, text in OTHERS.items()]
    return seed, same, others


def confirm_known_suggestions(django_capture_on_commit_callbacks) -> None:
    reviewer = get_user_model().objects.filter(username="reviewer").first() or make_member("reviewer", "Reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        for suggestion in EntitySuggestion.objects.filter(entity__isnull=False, state="pending"):
            suggestion_confirm(suggestion=suggestion, user=reviewer)


def test_key_terms_are_what_the_seed_is_about():
    seed_text = (Path(__file__).resolve().parents[2] / "seeds" / "000_d83457cbb5fd5b29.txt").read_text("utf-8")
    headline, body = seed_text.split("\n", 1)
    terms = key_terms(headline, body)
    assert {"Belarus", "Lukashenko", "riots"} <= set(terms) and "that" not in terms


def test_same_events_rank_first_by_wording_before_any_entity_is_confirmed(archive):
    seed, same, _ = archive
    suggestions = related_suggestions(seed)
    assert suggestions[0].article == same
    assert "similar wording" in suggestions[0].reasons


def test_same_events_rank_first_with_shared_entities_as_reasons(archive, django_capture_on_commit_callbacks):
    seed, same, others = archive
    confirm_known_suggestions(django_capture_on_commit_callbacks)
    Article.objects.filter(pk=seed.pk).update(published_on=date(2020, 8, 15), published_on_precision="day")
    Article.objects.filter(pk=same.pk).update(published_on=date(2020, 8, 12), published_on_precision="day")
    seed.refresh_from_db()
    first, *rest = related_suggestions(seed)
    assert first.article == same
    assert first.shared_entities == [
        "Lukashenko",
        "Tsikhanouskaya",
        "Putin",
        "European Union",
        "Kremlin",
        "Belarus",
        "Lithuania",
    ]
    assert first.reasons == [
        "shares Lukashenko, Tsikhanouskaya, Putin, European Union and 3 more",
        "same week",
        "similar wording",
    ]
    assert str(first) == "; ".join(first.reasons)
    weather = next(o for o in others if o.headline.startswith("Heat wave"))
    assert weather not in [s.article for s in rest]
    assert first.score > max(s.score for s in rest)


def test_shared_topic_tags_count_and_linked_articles_are_left_out(archive, django_capture_on_commit_callbacks):
    seed, same, others = archive
    football = next(o for o in others if o.headline.startswith("Poland"))
    confirm_known_suggestions(django_capture_on_commit_callbacks)  # football shares Poland and Lithuania
    seed.tags.add("Belarus protests", "sport")
    football.tags.add("sport")
    by_article = {s.article: s for s in related_suggestions(seed, limit=10)}
    assert by_article[football].shared_tags == ["sport"]
    assert by_article[football].reasons == ["shares Lithuania, Poland", "also tagged sport"]
    article_link_create(source=seed, target=same, kind="same-event", user=make_member("editor", "Editor"))
    assert same not in [s.article for s in related_suggestions(seed, limit=10)]


def test_drafts_are_suggested_only_to_editors(archive):
    seed, same, _ = archive
    Article.objects.filter(pk=same.pk).update(status="draft")
    assert same not in [s.article for s in related_suggestions(seed)]
    editor = make_member("editor", "Editor")
    assert related_suggestions(seed, user=editor)[0].article == same


def test_queries_do_not_grow_with_the_archive(
    archive, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    seed, *_ = archive
    confirm_known_suggestions(django_capture_on_commit_callbacks)
    seed = Article.objects.select_related("current_revision").get(pk=seed.pk)
    with django_assert_max_num_queries(13):
        related_suggestions(seed)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(15):
            import_text(f"more-{n}.txt", SAME_EVENTS.replace("Vilnius", f"Vilnius ({n})"))
    confirm_known_suggestions(django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(13):
        assert len(related_suggestions(seed, limit=10)) == 10
