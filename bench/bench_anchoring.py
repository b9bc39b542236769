"""Benchmark for annotations.anchoring: carrying annotations through edits and fuzzy resolving.

Run: python bench/bench_anchoring.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.anchoring import (  # noqa: E402 - needs the sys.path entry above
    Edit,
    Selectors,
    apply_edits,
    describe,
    reanchor_many,
    resolve,
)

SEED = ROOT / "seeds" / "000_d83457cbb5fd5b29.txt"
TARGET_CHARS = 50_000
ANNOTATIONS = 1_000
QUOTE_CHARS = 200
RUNS = 15
CARRY_GOAL_MS = 50.0
FUZZY_GOAL_MS = 20.0


def build_text() -> str:
    """About 50 KB: the seed's paragraphs, rotated and numbered per copy so copies differ."""
    seed = SEED.read_bytes().decode("utf-8").replace("\r\n", "\n")
    paragraphs = [p for p in seed.split("\n") if p.strip()]
    parts: list[str] = []
    copy = 0
    while sum(len(p) + 1 for p in parts) < TARGET_CHARS:
        shift = copy % len(paragraphs)
        rotated = paragraphs[shift:] + paragraphs[:shift]
        parts.extend(f"[{copy}.{i}] {p}" for i, p in enumerate(rotated))
        copy += 1
    return "\n".join(parts)[:TARGET_CHARS]


def spread_annotations(text: str, count: int) -> list[Selectors]:
    """Evenly spread spans of 5 to 60 characters over the text."""
    step = len(text) // count
    spans = [(i * step, min(len(text), i * step + 5 + (i * 7) % 56)) for i in range(count)]
    return [describe(text, start, end) for start, end in spans]


def timed(func: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Best and median wall time in milliseconds."""
    func()  # warm-up
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        samples.append((time.perf_counter() - began) * 1000)
    return min(samples), statistics.median(samples)


def alter(quote: str) -> str:
    """A light re-import style change: two typos and a dropped word."""
    return quote[:30] + "x" + quote[31:90] + "yz" + quote[92:140] + quote[146:]


def main() -> int:
    """Run both measurements and print a PASS/FAIL table."""
    text = build_text()
    annotations = spread_annotations(text, ANNOTATIONS)
    middle = len(text) // 2 + 3
    edits = [Edit(middle, middle + 12, "an accepted correction")]
    new_text = apply_edits(text, edits)
    results = reanchor_many(text, new_text, annotations, edits)
    assert len(results) == ANNOTATIONS  # noqa: S101 - sanity check of the benchmark itself
    carry = timed(lambda: reanchor_many(text, new_text, annotations, edits))

    start = len(text) // 3
    selectors = describe(text, start, start + QUOTE_CHARS)
    quote = text[start : start + QUOTE_CHARS]
    changed = text.replace(quote, alter(quote))
    anchor = resolve(selectors, changed)
    assert anchor.strategy == "fuzzy", anchor  # noqa: S101 - exact path must not be taken
    fuzzy = timed(lambda: resolve(selectors, changed))

    rows = [
        (f"carry {ANNOTATIONS} annotations through 1 edit", carry, CARRY_GOAL_MS),
        (f"fuzzy-resolve {QUOTE_CHARS}-char quote", fuzzy, FUZZY_GOAL_MS),
    ]
    print(f"text: {len(text):,} chars; fuzzy match score {anchor.score:.3f}; {RUNS} runs")
    print(f"{'measurement':<44} {'best ms':>8} {'median ms':>10} {'goal ms':>8}  result")
    ok = True
    for name, (best, median), goal in rows:
        passed = median <= goal
        ok = ok and passed
        verdict = "PASS" if passed else "FAIL"
        print(f"{name:<44} {best:>8.2f} {median:>10.2f} {goal:>8.1f}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
