"""A small archive with one of everything the URLs take (slugs, pks, numbers), built through the services.

Roles: anonymous, an editor, a reviewer and a superuser (`admin`); `other` is a second editor, for
"private means only its author". The published seed article has a public comment, an editors-only
and a private note (distinctive bodies, on distinctive quotes), a proposed correction, a mention of
an entity, a topic tag, a related external link and a second revision (so a restore changes
something); a draft article has a public note of its own.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from annotations.anchoring import Selectors
from annotations.models import Annotation, Correction, Entity, EntitySuggestion
from annotations.services.corrections import correction_propose
from annotations.services.entities import entity_create, mention_create
from annotations.services.entity_suggestions import entities_suggest
from annotations.services.links import ExternalCoverage, external_link_create
from annotations.services.revising import article_revise
from archive.models import Article
from tests.factories import import_seed, make_article, make_member, make_note

ROLES = ("anonymous", "editor", "reviewer", "admin")

#: Words found nowhere else: if they show up where they must not, the test names the leak.
EDITORS_BODY = "Zanzibar-editors-only-remark"
PRIVATE_BODY = "Quetzalcoatl-private-remark"
PUBLIC_BODY = "Public remark about the riots"
#: The quotes of the non-public notes: words of the seed text readers see anyway, so the test
#: looks for the notes' traces (their bodies, their marks) rather than for the words themselves.
EDITORS_QUOTE = "calm the winds"
PRIVATE_QUOTE = "strategic destination"
DRAFT_HEADLINE = "Unannounced draft about Xylophonic matters"


@dataclass
class World:
    users: dict
    other: object
    seed: Article
    draft: Article
    public_note: Annotation
    editors_note: Annotation
    private_note: Annotation
    draft_note: Annotation
    correction: Correction
    entity: Entity
    tag_slug: str
    suggestion: EntitySuggestion

    def user(self, role: str):
        return self.users.get(role)


def span_of(article: Article, quote: str) -> tuple[int, int]:
    article.refresh_from_db()
    start = article.current_revision.text.index(quote)
    return start, start + len(quote)


def note(article, user, quote, body, visibility, motivation="commenting") -> Annotation:
    return make_note(article, quote, user, body=body, visibility=visibility, motivation=motivation)


def build_world() -> World:
    editor, reviewer = make_member("editor", "Editor"), make_member("reviewer", "Reviewer")
    admin = get_user_model().objects.create_superuser("admin", password="a-long-test-password")
    other = make_member("other-editor", "Editor")
    seed = import_seed()
    draft = make_article(DRAFT_HEADLINE, publish=False)
    # Revision 2, so that restoring revision 1 has something to do.
    article_revise(
        article=seed,
        edits=[(*span_of(seed, "Spoke"), "spoke")],
        author=reviewer,
        message="",
        base=seed.current_revision,
    )
    seed.refresh_from_db()
    entity = entity_create(name="Alexander Lukashenko", kind="person", aliases=["Lukashenka"])
    mention_create(article=seed, user=editor, selectors=Selectors(exact="Alexander Lukashenko"), entity=entity)
    entities_suggest(articles=[seed])
    seed.tags.add("Belarus protests")
    external_link_create(
        article=seed, user=editor, coverage=ExternalCoverage(url="https://example.org/belarus", title="Elsewhere")
    )
    return World(
        users={"anonymous": None, "editor": editor, "reviewer": reviewer, "admin": admin},
        other=other,
        seed=seed,
        draft=draft,
        public_note=note(seed, editor, "Vladimir Putin", PUBLIC_BODY, "public"),
        editors_note=note(seed, editor, EDITORS_QUOTE, EDITORS_BODY, "editors"),
        private_note=note(seed, editor, PRIVATE_QUOTE, PRIVATE_BODY, "private", "questioning"),
        draft_note=note(draft, editor, "paragraph 1", "A public note on a draft", "public"),
        correction=correction_propose(
            article=seed,
            proposer=editor,
            replacement="Bachelet",
            category="terminology",
            span=span_of(seed, "Belchett"),
        ),
        entity=entity,
        tag_slug=seed.tags.get().slug,
        suggestion=EntitySuggestion.objects.filter(article=seed, state="pending").order_by("pk").first(),
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are signed in with force_login here: a slow password hash would only slow the setup."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """Forget content type ids cached by earlier tests: tests/backups imports into an emptied database inside
    its (rolled back) transaction, leaving ids in ContentType's cache that no longer exist (taggit needs them)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def world(db) -> World:
    return build_world()
