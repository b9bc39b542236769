"""Creating editorial accounts in a role; shared by `create_editor` and the demo accounts of `make run`."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

ROLE_GROUPS = {"editor": "Editor", "reviewer": "Reviewer"}


def editor_create(*, username: str, password: str, role: str):
    """Create a user in the Editor or Reviewer group; raise ValueError or ValidationError on bad input."""
    if role not in ROLE_GROUPS:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLE_GROUPS)}")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValueError(f"a user named {username!r} already exists")
    validate_password(password, User(username=username))
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


def demo_accounts_create() -> list[tuple[str, str, str]]:
    """Create the demo editor and reviewer if missing; return (username, role, password) of those created."""
    created = []
    for username, role in (("demo-editor", "editor"), ("demo-reviewer", "reviewer")):
        if get_user_model().objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(12)
        editor_create(username=username, password=password, role=role)
        created.append((username, role, password))
    return created
