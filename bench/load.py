"""Load test: readers on the public article page while editors annotate and reviewers accept corrections.

Usage: python bench/load.py [--seconds 60] [--clients 64] [--editors 4]
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/palimpsest_load, is dropped and
re-created; BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, is emptied.)

gunicorn runs the production settings unchanged (DEBUG off, Redis cache, PostgreSQL with persistent
connections, config/gunicorn.conf.py) on a free loopback port; every client sends
`X-Forwarded-Proto: https` as the TLS-terminating load balancer would. wrk reads the public page
with C connections for S seconds; meanwhile editors post annotations through the W3C protocol (one
in five public, which invalidates the cached page) and one editor proposes corrections that the
reviewer accepts through the review form. Afterwards every acknowledged write must be in the
database. PASS: no reader error (every response 200), no writer error, nothing acknowledged lost.
"""

import argparse
import os
import sys
import time

import _scene
from _editors import Writers, check_corrections_whole, check_writes
from _server import Gunicorn, collectstatic, machine, production_env, wrk_in_background

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/palimpsest_load")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the run (default 60)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent readers (default 64)")
    parser.add_argument("--editors", type=int, default=4, help="editor accounts; the last one proposes corrections")
    args = parser.parse_args()

    print(f"machine: {machine()}; date: {time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    _scene.fresh_database(DATABASE_URL, REDIS_URL)
    scene = _scene.build(notes=50, corrections=5, mentions=10, links=2, editors=args.editors)
    before = _scene.counts(scene.article_id)
    print(f"before: {before}", flush=True)
    env = production_env(database_url=DATABASE_URL, redis_url=REDIS_URL)
    collectstatic(env)
    with Gunicorn(env, name="load") as server:
        writers = Writers(server.base, scene.slug, scene.editors, scene.reviewer)
        writers.start(deadline_seconds=args.seconds + 5)
        readers = wrk_in_background(
            f"{server.base}/articles/{scene.slug}/", connections=args.clients, seconds=args.seconds, count_bodies=True
        )
        result = readers()
        writers.finish()
        log_tail = server.log_tail(15)

    ledger = writers.ledger
    after = _scene.counts(scene.article_id)
    lost = check_writes(ledger, scene.article_id)
    half = check_corrections_whole(scene.article_id)

    print(f"\nreaders: {args.clients} connections, {result.seconds:.1f} s on /articles/{scene.slug}/")
    print(
        f"  {result.requests} requests, {result.rps:.0f} req/s; latency p50 {result.p50_ms:.1f} ms, "
        f"p95 {result.p95_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, max {result.max_ms:.1f} ms"
    )
    print(
        f"  statuses {result.statuses}; errors {result.errors} (socket {result.socket_errors}, "
        f"non-2xx/3xx {result.non_2xx_3xx}); tracebacks {result.traceback}"
    )
    print(f"writers: {dict(sorted(ledger.statuses.items()))}")
    print(
        f"  annotations acknowledged {len(ledger.acked_annotations)} of {len(ledger.sent_annotations)} sent; "
        f"proposals acknowledged {len(ledger.acked_proposals)}; acceptances acknowledged {len(ledger.acked_accepts)}"
    )
    print(f"after: {after}")
    notes = after["annotations.commenting"] - before["annotations.commenting"]
    proposals = after["annotations.editing"] - before["annotations.editing"]
    print(
        f"  added: {notes} notes (acknowledged {len(ledger.acked_annotations)}), {proposals} corrections "
        f"(acknowledged {len(ledger.acked_proposals)}), {after['revisions'] - before['revisions']} revisions "
        f"(acknowledged {len(ledger.acked_accepts)})"
    )
    for problem in lost + half:
        print("  problem:", problem)
    checks = {
        "0 reader errors, every response 200": result.errors == 0 and set(result.statuses) == {"200"},
        "0 writer errors": ledger.failures() == 0,
        "every acknowledged write in the database": not lost,
        "no half-applied correction": not half,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    if not all(checks.values()):
        print(f"gunicorn log (last lines):\n{log_tail}")
    print("RESULT:", "PASS" if all(checks.values()) else "FAIL")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
