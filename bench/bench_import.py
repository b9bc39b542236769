"""Import 10,000 seed-like articles; compare with a raw bulk_create of the same rows.

Usage: python bench/bench_import.py [--count N]   (DATABASE_URL selects the database;
default: PostgreSQL on 127.0.0.1, database palimpsest_bench, created if missing)
"""

import argparse
import random
import time

from _setup import ROOT, empty_archive, setup_django

SEED = (ROOT / "seeds" / "000_d83457cbb5fd5b29.txt").read_text(encoding="utf-8")
NAMES = ["Lukashenko", "Tikhnovskaya", "Putin", "Pompeo", "Belchett", "Merkel", "Macron", "Zelensky"]
PLACES = ["Minsk", "Grodno", "Brest", "Vilnius", "Warsaw", "Moscow", "Gomel", "Vitebsk"]


def seed_like(number: int, rng: random.Random) -> bytes:
    """A seed-shaped article with its own headline and shuffled names, places and numbers."""
    text = SEED.replace("Belarus riots: Putin’s", f"Report {number}: {rng.choice(PLACES)} riots and").replace(
        "6,000", f"{rng.randint(100, 9000):,}"
    )
    for name in NAMES[:4]:
        text = text.replace(name, rng.choice(NAMES), 2)
    return text.replace("Minsk", rng.choice(PLACES)).encode()


def time_import(files, batch: int) -> float:
    from archive.services import articles_import

    start = time.perf_counter()
    for offset in range(0, len(files), batch):
        results = articles_import(files[offset : offset + batch], publish=True)
        assert all(result.status == "imported" for result in results), results[0]
    return time.perf_counter() - start


def time_raw_bulk_create(files) -> float:
    """Insert the same rows with plain bulk_create: the floor any importer can reach."""
    from django.db import transaction
    from django.utils import timezone

    from archive.blocks import canonical_text
    from archive.importing import parse_article
    from archive.models import Article, Original, Revision

    parsed = [parse_article(file.data, file.name) for file in files]
    now = timezone.now()
    start = time.perf_counter()
    with transaction.atomic():
        articles = Article.objects.bulk_create(
            Article(slug=f"raw-{n}", headline=p.headline, status="published", published_at=now)
            for n, p in enumerate(parsed)
        )
        Original.objects.bulk_create(
            Original(
                article=a,
                content=f.data,
                filename=f.name,
                encoding=p.encoding,
                sha256=Original.checksum(f.data),
                size=len(f.data),
                imported_at=now,
                import_notes=p.notes,
            )
            for a, f, p in zip(articles, files, parsed, strict=True)
        )
        Revision.objects.bulk_create(
            Revision(
                article=a,
                number=1,
                blocks=[b.as_dict() for b in p.blocks],
                text=canonical_text(p.blocks),
                message="Imported",
                created_at=now,
            )
            for a, p in zip(articles, parsed, strict=True)
        )
    return time.perf_counter() - start


def without_on_import_work():
    """Disconnect the receivers of articles_imported (glossary, entity suggestions, search index)."""
    from archive.signals import articles_imported

    receivers = list(articles_imported.receivers)
    articles_imported.receivers = []
    articles_imported.sender_receivers_cache.clear()
    return receivers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200, help="files per import call, as the command does")
    args = parser.parse_args()
    vendor = setup_django()
    from archive.services import ImportFile
    from archive.signals import articles_imported

    rng = random.Random(42)
    files = [ImportFile(f"{n:05d}.txt", seed_like(n, rng)) for n in range(args.count)]
    empty_archive()
    full = time_import(files, args.batch)
    empty_archive()
    receivers = without_on_import_work()
    alone = time_import(files, args.batch)
    articles_imported.receivers = receivers
    empty_archive()
    raw = time_raw_bulk_create(files)
    empty_archive()
    rate, alone_rate, raw_rate = args.count / full, args.count / alone, args.count / raw
    print(f"database: {vendor}; articles: {args.count}; batch: {args.batch}")
    print(
        f"importer alone (parse, dedupe, slugs, bulk insert, audit): {alone:7.2f} s  {alone_rate:6.0f} articles/s"
        f"  (goal >= 150/s: {'PASS' if alone_rate >= 150 else 'FAIL'})"
    )
    print(f"with on-import work (glossary, entity suggestions, search index): {full:7.2f} s  {rate:6.0f} articles/s")
    print(f"raw bulk_create of the same rows: {raw:7.2f} s  {raw_rate:6.0f} articles/s")
    ratio = alone_rate / raw_rate
    print(
        f"ratio importer/raw: {ratio:.2f}   (goal >= 0.3: {'PASS' if ratio >= 0.3 else 'FAIL'});"
        f" with on-import work: {rate / raw_rate:.2f}"
    )


if __name__ == "__main__":
    main()
