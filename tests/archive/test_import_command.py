"""manage.py import_articles: files, directories, summary, exit status."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.models import Article
from tests.factories import SEED_PATH, seed_bytes

pytestmark = pytest.mark.django_db


def run(*args):
    return call_command("import_articles", *map(str, args))


def test_imports_a_directory_as_drafts_and_reports(tmp_path, capsys):
    (tmp_path / "a.txt").write_bytes(seed_bytes())
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.txt").write_bytes(b"Second headline\n\nSecond article text.\n")
    (tmp_path / "notes.json").write_text("{}")
    run(tmp_path)
    out = capsys.readouterr().out
    assert "imported 2, already present 0, failed 0" in out
    assert set(Article.objects.values_list("status", flat=True)) == {"draft"}


def test_publish_flag_and_idempotent_rerun(capsys):
    run(SEED_PATH, "--publish")
    run(SEED_PATH, "--publish")
    out = capsys.readouterr().out
    assert "imported 1, already present 0, failed 0" in out
    assert "imported 0, already present 1, failed 0" in out
    assert Article.objects.published().count() == 1


def test_failures_are_named_one_line_each_and_exit_non_zero(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "big.txt").write_bytes(b"Headline\n\n" + b"word " * 1200)
    (tmp_path / "good.txt").write_bytes(seed_bytes())
    with pytest.raises(CommandError, match="imported 1, already present 0, failed 2"):
        run(tmp_path, "--max-bytes", 5000)
    err = capsys.readouterr().err.splitlines()
    assert "big.txt: failed — file is 6,010 bytes, over the import limit of 5,000 bytes" in err
    assert "empty.txt: failed — empty file" in err
    assert Article.objects.count() == 1


def test_missing_path_is_a_clear_error():
    with pytest.raises(CommandError, match="no-such-dir: no such file or directory"):
        run("no-such-dir")
