"""The public article page against a hello-world view, served by the same gunicorn in the same run.

Usage: python bench/perf.py [--seconds S] [--rounds N] [--connections C] [--only hit,miss,...]
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/palimpsest_load, is dropped and
re-created; BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, is emptied.)

The seed article carries 100 public notes, 10 accepted corrections, 20 mentions and 5 related links,
all made through the services. gunicorn runs the production settings (DEBUG off, Redis cache,
PostgreSQL with persistent connections, config/gunicorn.conf.py) with bench/server_urls.py added.
wrk drives each URL in turn, round after round, at C concurrent connections on loopback:
hello world, the article page on a cache hit, on a miss (the first request after an edit: its
version bumped and the page the edit rendered on commit in Redis), rendered for every request (no
page in the cache at all), and a one-row page; then gunicorn is restarted with DJANGO_CONN_MAX_AGE=0
and hello world and the one-row page are measured again. Goals: hit >= 0.9 x hello, miss >= 0.2 x
hello, p99 on a hit <= 10 ms. Exit status 1 when a goal is missed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _scene
from _server import Client, Gunicorn, WrkResult, collectstatic, machine, production_env, wrk

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/palimpsest_load")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
GOALS = {"hit": 0.9, "miss": 0.2}
P99_GOAL_MS = 10.0


def measure(server: Gunicorn, urls: dict[str, str], *, rounds: int, seconds: int, connections: int):
    """wrk each URL for `seconds`, round after round (so drift hits all alike); return results by name."""
    client = Client(server.base)
    for path in urls.values():  # warm: connections opened, templates compiled, the hit page cached
        for _ in range(20):
            status = client.get(path).status
            if status != 200:
                raise SystemExit(f"{path} answered {status} before the run:\n{server.log_tail()}")
    results: dict[str, list[WrkResult]] = {name: [] for name in urls}
    for number in range(1, rounds + 1):
        for name, path in urls.items():
            headers = {"Accept-Encoding": "gzip"} if name.endswith("gzip") else {}
            result = wrk(server.base + path, connections=connections, seconds=seconds, headers=headers)
            if result.errors:
                raise SystemExit(f"{name}: {result.errors} errors in round {number}:\n{server.log_tail()}")
            results[name].append(result)
            print(
                f"  round {number} {name:<8} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                f"p99 {result.p99_ms:6.2f} ms",
                flush=True,
            )
    return results


def cpu_per_request(env: dict[str, str], urls: dict[str, str]) -> dict[str, float]:
    """Microseconds of CPU per request of each URL, Django called in-process (bench/_cpu.py)."""
    names = ["hello", "hit", "hit-gzip", "bytes", "miss", "render"]
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, str(Path(__file__).with_name("_cpu.py")), *(f"{name}={urls[name]}" for name in names)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("CPU-JSON "))
    return json.loads(line.removeprefix("CPU-JSON "))


def measure_only(args) -> int:
    """`--only`: the named pages and hello world, round after round; no verdict (the full run gives it)."""
    _scene.fresh_database(DATABASE_URL, REDIS_URL)
    scene = _scene.build(notes=100, corrections=10, mentions=20, links=5)
    env = production_env(database_url=DATABASE_URL, redis_url=REDIS_URL, DJANGO_SETTINGS_MODULE="bench.server_settings")
    collectstatic(env)
    page = f"/articles/{scene.slug}/"
    known = {"hit": page, "hit-gzip": page, "miss": f"/bench/miss{page}", "render": f"/bench/render{page}"}
    known |= {"one-row": f"/bench/one-row/{scene.one_row_pk}/", "bytes": "/bench/bytes/75502/"}
    names = args.only.split(",")
    if unknown := set(names) - set(known):
        raise SystemExit(f"--only: unknown pages {sorted(unknown)}; known: {sorted(known)}")
    urls = {"hello": "/bench/hello/"} | {name: known[name] for name in names}
    with Gunicorn(env, name="perf-only") as server:
        results = measure(server, urls, rounds=args.rounds, seconds=args.seconds, connections=args.connections)
    hello = median_rps(results["hello"])
    for name, runs in results.items():
        rps, p99s = median_rps(runs), ", ".join(f"{run.p99_ms:.1f}" for run in runs)
        print(f"{name:<10} {rps:8.0f} req/s  {rps / hello:5.2f} × hello  p99 by round: {p99s} ms")
    return 0


def median_rps(results: list[WrkResult]) -> float:
    return statistics.median(result.rps for result in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every URL (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument(
        "--only",
        help="measure only these pages (comma-separated: hit, hit-gzip, miss, render, one-row, bytes), beside hello "
        "world, and skip the CONN_MAX_AGE=0 run and the CPU figures: e.g. the hit alone, without renders between",
    )
    args = parser.parse_args()
    if args.only:
        return measure_only(args)

    print(f"machine: {machine()}; date: {time.strftime('%Y-%m-%d')}", flush=True)
    _scene.fresh_database(DATABASE_URL, REDIS_URL)
    scene = _scene.build(notes=100, corrections=10, mentions=20, links=5)
    print(f"article: {_scene.counts(scene.article_id)}", flush=True)
    env = production_env(database_url=DATABASE_URL, redis_url=REDIS_URL, DJANGO_SETTINGS_MODULE="bench.server_settings")
    collectstatic(env)
    page = f"/articles/{scene.slug}/"
    urls = {
        "hello": "/bench/hello/",
        "hit": page,
        "miss": f"/bench/miss{page}",
        "render": f"/bench/render{page}",
        "one-row": f"/bench/one-row/{scene.one_row_pk}/",
    }
    options = {"rounds": args.rounds, "seconds": args.seconds, "connections": args.connections}

    print(f"persistent connections (DJANGO_CONN_MAX_AGE=600, health checks), {args.connections} connections:")
    with Gunicorn(env, name="perf-persistent") as server:
        size = len(Client(server.base).get(page).body)
        urls |= {"hit-gzip": page, "bytes": f"/bench/bytes/{size}/"}
        persistent = measure(server, urls, **options)
    cpu = cpu_per_request(env, urls)
    print("a new connection per request (DJANGO_CONN_MAX_AGE=0):")
    with Gunicorn(env | {"DJANGO_CONN_MAX_AGE": "0"}, name="perf-conn0") as server:
        per_request = measure(server, {"hello": urls["hello"], "one-row": urls["one-row"]}, **options)

    hello = median_rps(persistent["hello"])
    hit_p99 = statistics.median(result.p99_ms for result in persistent["hit"])
    print(f"\narticle page: {size:,} bytes; medians of {args.rounds} rounds of {args.seconds:g} s")
    print(f"{'page':<44} {'req/s':>8} {'× hello':>8} {'p99 ms':>8}  goal")
    verdicts = []
    rows = [
        ("hello world", persistent["hello"], hello, None),
        ("article, cache hit", persistent["hit"], hello, "hit"),
        ("article, cache hit, gzip (browsers)", persistent["hit-gzip"], hello, None),
        ("article, miss: first request after an edit", persistent["miss"], hello, "miss"),
        ("article, rendered for the request", persistent["render"], hello, None),
        ("same size from memory (ceiling)", persistent["bytes"], hello, None),
        ("one row, persistent connections", persistent["one-row"], hello, None),
        ("hello world (CONN_MAX_AGE=0 run)", per_request["hello"], median_rps(per_request["hello"]), None),
        ("one row, CONN_MAX_AGE=0", per_request["one-row"], median_rps(per_request["hello"]), None),
    ]
    for label, results, yardstick, goal_name in rows:
        rps = median_rps(results)
        p99 = statistics.median(result.p99_ms for result in results)
        goal = ""
        if goal_name:
            ok = rps / yardstick >= GOALS[goal_name]
            verdicts.append(ok)
            goal = f">= {GOALS[goal_name]} × hello: {'PASS' if ok else 'FAIL'}"
        print(f"{label:<44} {rps:8.0f} {rps / yardstick:8.2f} {p99:8.2f}  {goal}")
    print(
        f"\nCPU per request in one process (bench/_cpu.py: WSGI handler, no network; {cpu['hello']:.0f} µs "
        "for hello world):"
    )
    for name, micros in cpu.items():
        print(f"  {name:<10} {micros:9.0f} µs   {cpu['hello'] / micros:5.2f} × hello")
    p99_ok = hit_p99 <= P99_GOAL_MS
    verdicts.append(p99_ok)
    print(
        f"p99 on a hit at {args.connections} connections: {hit_p99:.2f} ms, goal <= {P99_GOAL_MS:g} ms: "
        f"{'PASS' if p99_ok else 'FAIL'}"
    )
    print("RESULT:", "PASS" if all(verdicts) else "FAIL")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
