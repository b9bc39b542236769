"""The work that runs on import (glossary scan, entity suggestions, search index) is set-based.

Its queries must not grow with the number of articles imported at once: a bulk import of thousands
of articles is the case it exists for.
"""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation, ArticleSearch, Correction, EntitySuggestion, GlossaryEntry
from annotations.services.entities import entities_load
from annotations.services.glossary import glossary_matcher, glossary_user, reader_matches
from archive.models import Article
from archive.services import ImportFile, articles_import
from tests.factories import SEED_PATH, make_user, seed_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_names():
    """The seed's entities and a remembered fix, so every matcher has something to look for."""
    entities_load(records=json.loads((SEED_PATH.parent / "entities.json").read_text("utf-8")))
    glossary_user()  # created once, on the first scan that finds a glossary
    GlossaryEntry.objects.create(
        preferred="Tsikhanouskaya",
        wrong_forms=["Tsikhanouskaja"],
        category="terminology",
        created_by=make_user("glossarist"),
    )


def on_import_queries(count: int, capture) -> tuple[int, list[int]]:
    """Import `count` distinct seed-like articles; return the queries their on-import work ran, and their ids."""
    files = [
        ImportFile(f"{count}-{n}.txt", seed_bytes().replace(b"Belarus riots", f"Report {count}-{n}: riots".encode()))
        for n in range(count)
    ]
    with capture() as callbacks:
        results = articles_import(files, publish=True)
    assert [result.status for result in results] == ["imported"] * count
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    return len(queries.captured_queries), [result.article.pk for result in results]


def test_on_import_work_runs_as_many_queries_for_fifty_articles_as_for_five(
    known_names, django_capture_on_commit_callbacks
):
    few, few_ids = on_import_queries(5, django_capture_on_commit_callbacks)
    many, many_ids = on_import_queries(50, django_capture_on_commit_callbacks)

    assert many == few
    putin = EntitySuggestion.objects.filter(entity__name="Vladimir Putin")
    for ids in (few_ids, many_ids):
        assert ArticleSearch.objects.filter(article_id__in=ids).count() == len(ids)
        assert set(putin.filter(article_id__in=ids).values_list("article_id", flat=True)) == set(ids)


def test_a_glossary_entry_matching_every_article_costs_as_many_queries_for_fifty_as_for_five(
    known_names, django_capture_on_commit_callbacks
):
    GlossaryEntry.objects.create(
        preferred="Burchett", wrong_forms=["Belchett"], category="terminology", created_by=make_user("burchett")
    )
    ContentType.objects.get_for_models(Annotation, Correction)  # cached once a process, by the first audit entry
    few, few_ids = on_import_queries(5, django_capture_on_commit_callbacks)
    many, many_ids = on_import_queries(50, django_capture_on_commit_callbacks)

    assert many == few
    matcher, entries = glossary_matcher()
    for ids in (few_ids, many_ids):
        expected = {
            (article.pk, match.start, match.end, entries[match.entry_id].preferred)
            for article in Article.objects.filter(pk__in=ids).select_related("current_revision")
            for match in reader_matches(matcher, article.current_revision)
        }
        suggested = Correction.objects.filter(annotation__article_id__in=ids, source=Correction.Source.GLOSSARY)
        assert {article_id for article_id, *_, preferred in expected if preferred == "Burchett"} == set(ids)
        assert (
            set(suggested.values_list("annotation__article_id", "annotation__start", "annotation__end", "replacement"))
            == expected
        )
        assert suggested.count() == len(expected)
