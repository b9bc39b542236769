import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_create_editor_reads_the_password_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("PALIMPSEST_PASSWORD", "correct horse battery staple")
    call_command("create_editor", "alice", "--role", "reviewer")
    alice = get_user_model().objects.get(username="alice")
    assert alice.check_password("correct horse battery staple")
    assert alice.has_perm("annotations.review_correction")
    assert "created reviewer alice" in capsys.readouterr().out


def test_create_editor_refuses_weak_passwords_and_duplicates(monkeypatch):
    monkeypatch.setenv("PALIMPSEST_PASSWORD", "123")
    with pytest.raises(CommandError, match="password refused"):
        call_command("create_editor", "bob")
    monkeypatch.setenv("PALIMPSEST_PASSWORD", "correct horse battery staple")
    call_command("create_editor", "bob")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_editor", "bob")


def test_create_editor_prompts_twice(monkeypatch):
    monkeypatch.delenv("PALIMPSEST_PASSWORD", raising=False)
    answers = iter(["correct horse battery staple", "different horse"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="do not match"):
        call_command("create_editor", "carol")


def test_demo_accounts_are_created_once_with_printed_random_passwords(capsys, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    out = capsys.readouterr().out
    editor_password = out.split("username demo-editor  password ")[1].split()[0]
    assert get_user_model().objects.get(username="demo-editor").check_password(editor_password)
    assert get_user_model().objects.get(username="demo-reviewer").has_perm("annotations.review_correction")
    call_command("create_demo_accounts")
    assert "exist already" in capsys.readouterr().out


def test_demo_accounts_are_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.filter(username="demo-editor").exists()
