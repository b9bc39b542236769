"""A fresh PostgreSQL database and Redis for the server benchmarks, and the article they serve, built
through the services: the seed article with public notes, accepted corrections, entity mentions and
related links, plus the editors and the reviewer who write during the load.
"""

import json
import os
import random
import re
import sys
from dataclasses import dataclass

from _server import ROOT

WORD = re.compile(r"[A-Za-z]{5,}")
PASSWORD = "bench-password-not-secret"  # noqa: S105 - throwaway accounts in a throwaway database
MENTIONED = ["Lukashenko", "Putin", "Belarus", "Russia", "NATO", "European Union", "Kremlin", "Minsk"]


@dataclass
class Scene:
    slug: str
    article_id: int
    one_row_pk: int
    editors: list[str]
    reviewer: str


def fresh_database(database_url: str, redis_url: str) -> None:
    """Drop and re-create the benchmark database, migrate it, and empty the benchmark's Redis database.

    Django is then configured in this process against that database and that Redis.
    """
    import psycopg
    import redis

    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"the server benchmarks need PostgreSQL, not {database_url}")
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(redis_url).flushdb()
    sys.path.insert(0, str(ROOT))
    os.environ.update(DJANGO_DEBUG="1", DATABASE_URL=database_url, REDIS_URL=redis_url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def member(username: str, role: str):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)


def build(*, notes: int, corrections: int, mentions: int, links: int, editors: int = 4) -> Scene:
    """Import the seed article and give it public notes, accepted corrections, mentions and links."""
    from annotations.anchoring import Selectors
    from annotations.models import Entity
    from annotations.services.annotating import Body, annotation_create
    from annotations.services.corrections import correction_accept, correction_propose
    from annotations.services.entities import entities_load, mention_create
    from annotations.services.links import article_link_create
    from archive.services import article_import

    rng = random.Random(7)
    editor_users = [member(f"load-editor-{n}", "Editor") for n in range(1, editors + 1)]
    reviewer = member("load-reviewer", "Reviewer")
    seed = ROOT / "seeds" / "000_d83457cbb5fd5b29.txt"
    article = article_import(data=seed.read_bytes(), filename=seed.name, publish=True).article
    text = article.current_revision.text

    for match in rng.sample(list(WORD.finditer(text)), notes):
        annotation_create(
            article=article,
            creator=rng.choice(editor_users),
            motivation="commenting",
            selectors=Selectors(exact=match.group(), start=match.start(), end=match.end()),
            body=Body(value=f"Check “{match.group()}” against the source."),
            visibility="public",
        )
    for _ in range(corrections):
        article.refresh_from_db()
        text = article.current_revision.text
        match = rng.choice([m for m in WORD.finditer(text) if m.group().islower()])
        proposal = correction_propose(
            article=article,
            proposer=editor_users[0],
            span=(match.start(), match.end()),
            replacement=match.group().capitalize(),
            category="style",
            reason="Benchmark correction.",
        )
        correction_accept(correction=proposal, reviewer=reviewer)

    entities_load(records=json.loads((ROOT / "seeds" / "entities.json").read_text()))
    article.refresh_from_db()
    text = article.current_revision.text
    spots = [(m.start(), m.end(), name) for name in MENTIONED for m in re.finditer(re.escape(name), text)]
    for start, end, name in rng.sample(spots, min(mentions, len(spots))):
        entity = (
            Entity.objects.filter(name__icontains=name).first()
            or Entity.objects.filter(aliases__icontains=name).first()
        )
        if entity is None:
            continue
        mention_create(
            article=article, user=editor_users[0], selectors=Selectors(exact=name, start=start, end=end), entity=entity
        )

    for number in range(links):
        paragraphs = "\n\n".join(f"Paragraph {n} of related report {number}." for n in range(3))
        body = f"Related report {number}\n\n{paragraphs}"
        target = article_import(data=body.encode(), filename=f"related-{number}.txt", publish=True).article
        article_link_create(source=article, target=target, kind="background", user=editor_users[0])

    return Scene(
        slug=article.slug,
        article_id=article.pk,
        one_row_pk=article.pk,
        editors=[user.username for user in editor_users],
        reviewer=reviewer.username,
    )


def counts(article_id: int) -> dict[str, int]:
    """How many annotations (by motivation), corrections and revisions the article has now."""
    from django.db.models import Count

    from annotations.models import Annotation, Correction
    from archive.models import Revision

    by_motivation = dict(
        Annotation.objects.filter(article_id=article_id)
        .values_list("motivation")
        .annotate(n=Count("pk"))
        .values_list("motivation", "n")
    )
    return {
        "annotations": sum(by_motivation.values()),
        **{f"annotations.{key}": value for key, value in sorted(by_motivation.items())},
        "corrections": Correction.objects.filter(annotation__article_id=article_id).count(),
        "corrections.accepted": Correction.objects.filter(annotation__article_id=article_id, state="accepted").count(),
        "revisions": Revision.objects.filter(article_id=article_id).count(),
    }
