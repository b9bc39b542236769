"""Benchmark: scan 10,000 seed-like articles against a 500-entry glossary on one core.

Run from anywhere: ``python bench/bench_glossary.py [--articles N] [--entries N]``.
Goal: >= 1,000 articles/s.  Exit status 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import random
import re
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotations.glossary_matching import GlossaryMatcher, GlossaryTerm  # noqa: E402

SEED = ROOT / "seeds" / "000_d83457cbb5fd5b29.txt"
GOAL = 1_000.0
ARTICLE_CHARS = 4_000

SEED_TERMS = [
    (("Belchett",), "Bachelet"),
    (("Tikhnovskaya", "Tiknovskaya"), "Tsikhanouskaya"),
    (("Michelle Belchett",), "Michelle Bachelet"),
    (("calm the winds",), "calm the situation"),
    (("Fedosenko Vasily",), "Vasily Fedosenko"),
]
CASE_SENSITIVE_TERMS = [
    (("Spoke",), "spoke"),
    (("Argued",), "argued"),
    (("Condemned",), "condemned"),
]


def _syllable_name(rng: random.Random) -> str:
    """Make a capitalised, transliteration-like surname (e.g. "Karvenko")."""
    onsets = ["b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh", "ts"]
    vowels = ["a", "e", "i", "o", "u", "ia", "ou"]
    endings = ["nko", "vich", "skaya", "ov", "ev", "ski", "ta", "in", "uk"]
    core = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 3)))
    return (core + rng.choice(endings)).capitalize()


def _misspell(rng: random.Random, word: str) -> str:
    """Apply one deterministic typo (drop, double or swap a non-initial letter)."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("drop", "double", "swap"))
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def build_glossary(rng: random.Random, size: int) -> tuple[list[GlossaryTerm], list[str]]:
    """Return the seed's entries plus synthetic name entries, and all their wrong forms."""
    terms = [
        GlossaryTerm(i, forms, preferred, case_sensitive=False, whole_word=True)
        for i, (forms, preferred) in enumerate(SEED_TERMS, start=1)
    ]
    for forms, preferred in CASE_SENSITIVE_TERMS:
        terms.append(GlossaryTerm(len(terms) + 1, forms, preferred, True, True, fuzzy=False))
    seen = {f.lower() for t in terms for f in t.wrong_forms}
    while len(terms) < size:
        preferred = _syllable_name(rng)
        forms = tuple(sorted({_misspell(rng, preferred) for _ in range(rng.randint(1, 3))} - seen))
        if not forms or len(preferred) < 4:
            continue
        seen.update(f.lower() for f in forms)
        if rng.random() < 0.15:  # some entries are full names
            given = rng.choice(["Sergei", "Olga", "Maria", "Andrei", "Irina", "Pavel"])
            forms = tuple(f"{given} {f}" for f in forms)
            preferred = f"{given} {preferred}"
        terms.append(GlossaryTerm(len(terms) + 1, forms, preferred, False, True))
    wrong = [f for t in terms for f in t.wrong_forms]
    return terms, wrong


def build_articles(rng: random.Random, count: int, wrong_forms: list[str]) -> list[str]:
    """Make seed-like articles: shuffled seed sentences, varied words, sprinkled misspellings."""
    seed = SEED.read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", seed) if len(s) > 20]
    words = re.findall(r"[^\W\d_]{4,}", seed)
    articles = []
    for _ in range(count):
        parts: list[str] = []
        size = 0
        while size < ARTICLE_CHARS:
            sentence = rng.choice(sentences)
            # Vary the vocabulary: swap a few words for others from the seed or new ones.
            tokens = sentence.split(" ")
            for _ in range(rng.randint(0, 3)):
                j = rng.randrange(len(tokens))
                tokens[j] = rng.choice(words) if rng.random() < 0.7 else _random_word(rng)
            if rng.random() < 0.25:
                name = rng.choice(wrong_forms)
                tokens.insert(
                    rng.randrange(len(tokens) + 1),
                    rng.choice((name, _misspell(rng, name) if len(name) > 3 else name)),
                )
            part = " ".join(tokens)
            parts.append(part)
            size += len(part) + 1
        articles.append(" ".join(parts)[:ARTICLE_CHARS])
    return articles


def _random_word(rng: random.Random) -> str:
    """Make a lower-case pseudo word, so the vocabulary keeps growing a little."""
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 11)))


def main() -> int:
    """Build data, scan it, print figures; return 0 on PASS, 1 on FAIL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()

    rng = random.Random(42)  # noqa: S311 - reproducible test data, not security
    terms, wrong_forms = build_glossary(rng, args.entries)
    articles = build_articles(rng, args.articles, wrong_forms)
    total_kb = sum(len(a) for a in articles) / 1024

    t0 = time.perf_counter()
    matcher = GlossaryMatcher(terms)
    build_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    counts = {"exact": 0, "fuzzy": 0}
    matched_articles = 0
    for text in articles:
        matches = matcher.find(text)
        matched_articles += bool(matches)
        for m in matches:
            counts[m.kind] += 1
    scan_s = time.perf_counter() - t0
    rate = len(articles) / scan_s

    print(f"glossary: {len(terms)} entries, {len(wrong_forms)} wrong forms; matcher built in {build_s * 1000:.1f} ms")
    print(f"articles: {len(articles)} ({total_kb / len(articles):.1f} KB each, {total_kb / 1024:.1f} MB total)")
    print(f"scan: {scan_s:.2f} s -> {rate:,.0f} articles/s ({total_kb / 1024 / scan_s:.1f} MB/s)")
    print(
        f"matches: {sum(counts.values())} (exact {counts['exact']}, fuzzy {counts['fuzzy']}) "
        f"in {matched_articles} articles; distinct tokens cached: {len(matcher._verdicts)}"
    )
    verdict = "PASS" if rate >= GOAL else "FAIL"
    print(f"goal: >= {GOAL:,.0f} articles/s on one core: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
