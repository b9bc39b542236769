"""Accept one correction on an article carrying 1,000 annotations; scan imported articles with the glossary.

Usage: python bench/bench_corrections.py [--annotations N] [--accepts N] [--scan-articles N]
(DATABASE_URL selects the database; default: PostgreSQL on 127.0.0.1, database palimpsest_bench,
created if missing). Goal: median accept <= 100 ms. Exit status 1 when the goal is missed.
"""

import argparse
import random
import re
import statistics
import sys
import time

from _setup import ROOT, empty_archive, setup_django

SEED = (ROOT / "seeds" / "000_d83457cbb5fd5b29.txt").read_bytes()
GOAL_MS = 100.0
WORD = re.compile(r"[A-Za-z]{4,}")


def users():
    from django.contrib.auth.models import Group, User

    editor, _ = User.objects.get_or_create(username="bench-editor")
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer")
    editor.groups.add(Group.objects.get(name="Editor"))
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    return User.objects.get(pk=editor.pk), User.objects.get(pk=reviewer.pk)


def annotate(article, editor, count: int, rng: random.Random) -> None:
    """Add `count` comments on words spread over the text (bulk: the set-up is not what is measured)."""
    from annotations.anchoring import describe
    from annotations.models import Annotation

    revision = article.current_revision
    words = list(WORD.finditer(revision.text))
    rows = []
    for match in rng.choices(words, k=count):
        annotation = Annotation(
            article=article, revision=revision, creator=editor, motivation="commenting", body_value="bench"
        )
        annotation.set_selectors(describe(revision.text, match.start(), match.end()))
        rows.append(annotation)
    Annotation.objects.bulk_create(rows, batch_size=500)


def time_accepts(article, editor, reviewer, accepts: int, rng: random.Random) -> list[float]:
    """Propose then accept one correction at a time; return each acceptance's duration in ms."""
    from annotations.services.corrections import correction_accept, correction_propose

    timings = []
    for _ in range(accepts):
        article.refresh_from_db()
        text = article.current_revision.text
        match = rng.choice([m for m in WORD.finditer(text) if m.group().islower()])
        correction = correction_propose(
            article=article,
            proposer=editor,
            span=(match.start(), match.end()),
            replacement=match.group().upper(),
            category="style",
        )
        start = time.perf_counter()
        correction_accept(correction=correction, reviewer=reviewer)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def time_scan(count: int, entries: int, rng: random.Random) -> tuple[float, int]:
    """Import `count` seed-like articles, remember `entries` fixes, time glossary_scan over all of them."""
    from annotations.models import GlossaryEntry
    from annotations.services.glossary import glossary_scan
    from archive.services import ImportFile, articles_import

    text = SEED.decode()
    files = [ImportFile(f"scan-{n}.txt", f"Report {n}\n\n{text}".encode()) for n in range(count)]
    for offset in range(0, count, 200):
        articles_import(files[offset : offset + 200], publish=True)
    GlossaryEntry.objects.bulk_create(
        [GlossaryEntry(preferred="Bachelet", wrong_forms=["Belchett"], category="terminology")]
        + [
            GlossaryEntry(preferred=f"Name{n}ova", wrong_forms=[f"Nmae{n}ova"], category="terminology")
            for n in range(entries - 1)
        ]
    )
    start = time.perf_counter()
    result = glossary_scan()
    return time.perf_counter() - start, result.suggested


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=int, default=1_000, help="annotations on the article")
    parser.add_argument("--accepts", type=int, default=20, help="corrections accepted one after another")
    parser.add_argument("--scan-articles", type=int, default=1_000, help="articles for the glossary scan (0: skip)")
    parser.add_argument("--entries", type=int, default=500, help="glossary entries for the scan")
    args = parser.parse_args()
    vendor = setup_django()
    from annotations.models import Annotation, GlossaryEntry
    from archive.services import article_import

    rng = random.Random(7)
    empty_archive()
    GlossaryEntry.objects.all().delete()
    editor, reviewer = users()
    article = article_import(data=SEED, filename="bench-seed.txt", publish=True).article
    annotate(article, editor, args.annotations, rng)
    timings = time_accepts(article, editor, reviewer, args.accepts, rng)
    article.refresh_from_db()
    carried = Annotation.objects.filter(article=article, revision=article.current_revision).count()
    median, worst = statistics.median(timings), max(timings)
    print(f"database: {vendor}; annotations on the article: {carried}; accepts: {len(timings)}")
    verdict = "PASS" if median <= GOAL_MS else "FAIL"
    print(
        f"accept one correction: median {median:.1f} ms, min {min(timings):.1f} ms, max {worst:.1f} ms "
        f"(goal median <= {GOAL_MS:.0f} ms: {verdict})"
    )
    if args.scan_articles:
        seconds, suggested = time_scan(args.scan_articles, args.entries, rng)
        print(
            f"glossary_scan through the database: {args.scan_articles} articles x {args.entries} entries "
            f"in {seconds:.2f} s -> {args.scan_articles / seconds:,.0f} articles/s, {suggested} suggestions stored"
        )
    empty_archive()
    GlossaryEntry.objects.all().delete()
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
