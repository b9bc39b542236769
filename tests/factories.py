"""Test data built through the services, so tests exercise the same write paths as the app."""

from pathlib import Path

from django.contrib.auth import get_user_model

from archive.services import article_import

SEED_PATH = Path(__file__).resolve().parent.parent / "seeds" / "000_d83457cbb5fd5b29.txt"


def seed_bytes() -> bytes:
    return SEED_PATH.read_bytes()


def import_seed(*, publish: bool = True):
    """Import the seed article and return it."""
    return article_import(data=seed_bytes(), filename=SEED_PATH.name, publish=publish).article


def make_article(headline: str, paragraphs: int = 2, *, publish: bool = True, filename: str | None = None):
    """Import a small synthetic article and return it."""
    body = "\n\n".join(
        f"{headline}: paragraph {n} of the report, with enough words to read." for n in range(paragraphs)
    )
    data = f"{headline}\n\n{body}\n".encode()
    return article_import(data=data, filename=filename or f"{headline[:20]}.txt", publish=publish).article


def make_user(username: str = "someone", *, staff: bool = False, perms: tuple[str, ...] = ()):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(username=username, password="a-long-test-password", is_staff=staff)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


def make_member(username: str, role: str):
    """A user in the Editor or Reviewer group (created by a data migration)."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password="a-long-test-password")
    user.groups.add(Group.objects.get(name=role))
    return get_user_model().objects.get(pk=user.pk)


def make_note(article, quote: str, user, *, body: str = "A note", motivation: str = "commenting", **fields):
    """An annotation on the first occurrence of `quote`, through the annotation service."""
    from annotations.anchoring import Selectors
    from annotations.services.annotating import Body, annotation_create

    selectors = Selectors(exact=quote)
    return annotation_create(
        article=article, creator=user, motivation=motivation, selectors=selectors, body=Body(body), **fields
    )
