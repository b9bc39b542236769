"""The import service: what it writes, idempotency, and per-file failures."""

import pytest

from archive.models import Article, Original, Revision
from archive.services import ImportFile, ImportResult, article_import, articles_import
from tests.factories import SEED_PATH, seed_bytes

pytestmark = pytest.mark.django_db


def test_seed_import_writes_article_original_and_first_revision():
    result = article_import(data=seed_bytes(), filename=SEED_PATH.name)
    article = result.article
    assert result.status == ImportResult.IMPORTED
    assert article.slug == "belarus-riots-putins-response-and-us-intervention"
    assert article.status == Article.Status.DRAFT
    assert article.published_on is None and article.published_on_precision == "unknown"
    original = article.originals.get()
    assert bytes(original.content) == seed_bytes()
    assert original.sha256 == Original.checksum(seed_bytes()) and len(original.sha256) == 64
    assert original.encoding == "utf-8" and original.size == len(seed_bytes())
    revision = Revision.objects.get(article=article)
    assert article.current_revision == revision and revision.number == 1 and revision.parent is None
    assert revision.text.count("\n\n") == len(revision.blocks) - 1
    assert "Belchett" in revision.text


def test_publish_option_publishes():
    article = article_import(data=seed_bytes(), filename="seed.txt", publish=True).article
    assert article.is_published and article.published_at is not None


def test_same_bytes_again_is_already_present_and_writes_nothing():
    article_import(data=seed_bytes(), filename="seed.txt")
    again = article_import(data=seed_bytes(), filename="renamed.txt")
    assert again.status == ImportResult.ALREADY_PRESENT
    assert "belarus-riots" in again.message
    assert (Article.objects.count(), Original.objects.count(), Revision.objects.count()) == (1, 1, 1)


def test_duplicates_within_one_batch_are_imported_once():
    results = articles_import([ImportFile("a.txt", seed_bytes()), ImportFile("b.txt", seed_bytes())])
    assert [result.status for result in results] == [ImportResult.IMPORTED, ImportResult.ALREADY_PRESENT]
    assert Article.objects.count() == 1


def test_a_bad_file_fails_alone_and_the_others_are_imported():
    files = [
        ImportFile("empty.txt", b""),
        ImportFile("seed.txt", seed_bytes()),
        ImportFile("binary.txt", b"\x00\x01\x02" * 10),
        ImportFile("other.txt", b"Another headline\n\nA paragraph of another article.\n"),
    ]
    results = articles_import(files)
    assert [(result.filename, result.status) for result in results] == [
        ("empty.txt", "failed"),
        ("seed.txt", "imported"),
        ("binary.txt", "failed"),
        ("other.txt", "imported"),
    ]
    assert str(results[0]) == "empty.txt: failed — empty file"
    assert Article.objects.count() == 2 and Original.objects.count() == 2


def test_same_headline_gets_a_distinct_slug():
    first = article_import(data=b"Riots in Minsk\n\nOne report.\n", filename="a.txt").article
    second = article_import(data=b"Riots in Minsk\n\nAnother report.\n", filename="b.txt").article
    third = article_import(data=b"Riots in Minsk\n\nA third report.\n", filename="c.txt").article
    assert [first.slug, second.slug, third.slug] == ["riots-in-minsk", "riots-in-minsk-2", "riots-in-minsk-3"]


def test_size_limit_comes_from_settings(settings):
    settings.PALIMPSEST_IMPORT_MAX_BYTES = 50
    result = article_import(data=seed_bytes(), filename="seed.txt")
    assert result.status == ImportResult.FAILED and "over the import limit of 50 bytes" in result.message
    assert Article.objects.count() == 0


def test_import_notes_record_the_duplicate_caption():
    article = article_import(data=seed_bytes(), filename="seed.txt").article
    assert any("pasted twice" in note for note in article.originals.get().import_notes)


def test_imported_signal_is_sent_after_commit(django_capture_on_commit_callbacks):
    from archive.signals import articles_imported

    received = []

    def receiver(sender, article_ids, **kwargs):
        received.append(article_ids)

    articles_imported.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            article = article_import(data=seed_bytes(), filename="seed.txt").article
    finally:
        articles_imported.disconnect(receiver)
    assert received == [[article.pk]]
