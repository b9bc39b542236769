"""Fault test: PostgreSQL restarted under load; clean 503s, recovery by itself, nothing lost or half-applied.

Usage: python bench/faults.py [--seconds 30] [--restart-at 8] [--clients 16]
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/palimpsest_load, is dropped and
re-created; BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, is emptied.)

Restarting PostgreSQL (`pg_ctlcluster … main restart`) breaks every connection to it, other
databases' included: run it on a machine where nothing else is using PostgreSQL at that moment.

gunicorn runs the production settings as in bench/load.py. wrk reads the public article page,
editors annotate and correct (bench/_editors.py), and a probe reads /healthz and the revision
history (a page that always needs the database) every 0.1 s. After `--restart-at` seconds the
cluster is restarted. PASS: every failed response is the 503 outage page (never a 500 page or a
traceback), /healthz answers 200 again within 10 s of PostgreSQL accepting connections, and writes
succeed again after it; every acknowledged write is in the database and no correction is
half-applied.
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import _scene
from _editors import Writers, check_corrections_whole, check_writes
from _server import Client, Gunicorn, collectstatic, machine, production_env, wrk_in_background

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/palimpsest_load")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
RECOVERY_GOAL_SECONDS = 10.0


def classify(status: int, body: str) -> str:
    """Name a response: ok, the outage page, the error page, a traceback, or another status."""
    if "Traceback" in body:
        return "traceback"
    if status == 503 and "Briefly unavailable" in body:
        return "outage-503"
    if status == 500 or "Something went wrong" in body:
        return "error-500"
    return "ok" if status == 200 else f"status-{status}"


class Probe:
    """Reads /healthz and the revision history every `interval` seconds; keeps (time, path, outcome)."""

    def __init__(self, base: str, slug: str, start: float, interval: float = 0.1) -> None:
        self.base, self.paths, self.start, self.interval = (
            base,
            ["/healthz", f"/articles/{slug}/revisions/"],
            start,
            interval,
        )
        self.samples: list[tuple[float, str, str]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        client = Client(self.base, timeout=10)
        for _ in range(100_000):  # bounded; stops by its event first
            if self.stop.is_set():
                return
            self.samples.append((time.monotonic() - self.start, "postgres", "ok" if postgres_up() else "down"))
            for path in self.paths:
                try:
                    response = client.get(path)
                    outcome = (
                        "ok"
                        if path == "/healthz" and response.status == 200
                        else classify(response.status, response.text)
                    )
                    if path == "/healthz" and response.status == 503:
                        outcome = "healthz-503"
                except OSError as exc:
                    outcome = f"connection-{type(exc).__name__}"
                self.samples.append((time.monotonic() - self.start, path, outcome))
            time.sleep(self.interval)


def postgres_up() -> bool:
    """Return whether PostgreSQL accepts a connection to the benchmark database and answers a query."""
    import psycopg

    try:
        with psycopg.connect(DATABASE_URL, connect_timeout=1) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        return False


def restart_postgres(timeline: list[tuple[float, str]], start: float) -> None:
    """Restart the local cluster (fast shutdown, then start), noting when it was asked and when it returned."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    timeline.append((time.monotonic() - start, f"pg_ctlcluster {version} main restart: asked"))
    subprocess.run(  # noqa: S603 - fixed arguments
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
        check=True,
        timeout=120,
    )
    timeline.append((time.monotonic() - start, "pg_ctlcluster returned"))


def other_postgres_users() -> int:
    """How many connections other programs hold to PostgreSQL right now (the restart breaks them)."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname IS NOT NULL AND datname NOT IN (%s, 'postgres')",
            [name],
        ).fetchone()
    return row[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="length of the run (default 30)")
    parser.add_argument("--restart-at", type=float, default=8, help="restart PostgreSQL after this many seconds")
    parser.add_argument("--clients", type=int, default=16, help="concurrent readers of the public page (default 16)")
    args = parser.parse_args()

    print(f"machine: {machine()}; date: {time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    _scene.fresh_database(DATABASE_URL, REDIS_URL)
    scene = _scene.build(notes=50, corrections=5, mentions=10, links=2)
    others = other_postgres_users()
    if others:
        print(f"note: {others} other connection(s) to PostgreSQL will be broken by the restart", flush=True)
    env = production_env(database_url=DATABASE_URL, redis_url=REDIS_URL)
    collectstatic(env)
    timeline: list[tuple[float, str]] = []
    with Gunicorn(env, name="faults") as server:
        start = time.monotonic()
        timeline.append((0.0, f"load starts: wrk {args.clients} connections, editors, probe every 0.1 s"))
        writers = Writers(server.base, scene.slug, scene.editors, scene.reviewer)
        writers.start(deadline_seconds=args.seconds)
        probe = Probe(server.base, scene.slug, start)
        probe.thread.start()
        readers = wrk_in_background(
            f"{server.base}/articles/{scene.slug}/", connections=args.clients, seconds=args.seconds, count_bodies=True
        )
        time.sleep(args.restart_at)
        restart_postgres(timeline, start)
        result = readers()
        writers.finish()
        probe.stop.set()
        probe.thread.join(timeout=15)
        timeline.append((time.monotonic() - start, "load stops"))

    from django.db import connection

    connection.close()  # this process's connection died with the restart
    ledger = writers.ledger
    lost = check_writes(ledger, scene.article_id)
    half = check_corrections_whole(scene.article_id)

    app = [(t, path, outcome) for t, path, outcome in probe.samples if path != "postgres"]
    failures = [(t, path, outcome) for t, path, outcome in app if outcome != "ok"]
    database = [(t, outcome) for t, path, outcome in probe.samples if path == "postgres"]
    down = next((t for t, outcome in database if outcome == "down"), None)
    back = next((t for t, outcome in database if down is not None and t > down and outcome == "ok"), None)
    last_failure = failures[-1][0] if failures else None
    healthy_again = next(
        (t for t, path, o in app if path == "/healthz" and o == "ok" and back is not None and t >= back), None
    )
    for moment, what in [
        (down, "PostgreSQL refuses connections"),
        (back, "PostgreSQL accepts connections again"),
        (failures[0][0] if failures else None, f"first failed probe ({failures[0][2] if failures else ''})"),
        (last_failure, f"last failed probe ({failures[-1][2] if failures else ''})"),
        (healthy_again, "/healthz answers 200 again"),
    ]:
        if moment is not None:
            timeline.append((moment, what))
    after_restart = [t - start for t, _ in ledger.events if back is not None and t - start > back]
    print("\ntimeline (seconds since the load started):")
    for moment, what in sorted(timeline):
        print(f"  {moment:6.2f}  {what}")
    outcomes = Counter(f"{path} {outcome}" for _, path, outcome in probe.samples)
    print(f"outage seen by the probe: {0 if last_failure is None else last_failure - failures[0][0]:.2f} s")
    print(f"probe: {dict(sorted(outcomes.items()))}")
    print(
        f"readers: {result.requests} requests, {result.rps:.0f} req/s, statuses {result.statuses}, outage pages "
        f"{result.outage}, 500 pages {result.server_error}, tracebacks {result.traceback}, "
        f"socket errors {result.socket_errors}; p99 {result.p99_ms:.1f} ms"
    )
    print(f"writers: {dict(sorted(ledger.statuses.items()))}")
    print(
        f"  acknowledged: {len(ledger.acked_annotations)} annotations of {len(ledger.sent_annotations)} sent, "
        f"{len(ledger.acked_proposals)} proposals, {len(ledger.acked_accepts)} acceptances; "
        f"{len(after_restart)} acknowledged after PostgreSQL was back"
    )
    print(f"after: {_scene.counts(scene.article_id)}")
    for problem in lost + half:
        print("  problem:", problem)

    reader_statuses = set(result.statuses)
    recovery = None if healthy_again is None or back is None else healthy_again - back
    writer_bad = sum(n for key, n in ledger.statuses.items() if key.split()[1] in ("500", "502", "504"))
    checks = {
        "readers: only 200 and the 503 outage page": reader_statuses <= {"200", "503"}
        and result.outage == result.statuses.get("503", 0)
        and result.socket_errors == 0,
        "no 500 page, no traceback (readers, probe, writers)": result.server_error == 0
        and result.traceback == 0
        and not any(outcome in ("traceback", "error-500") for _, _, outcome in app)
        and writer_bad == 0,
        "the outage was seen (503 while PostgreSQL restarted)": bool(failures),
        f"/healthz 200 within {RECOVERY_GOAL_SECONDS:g} s of PostgreSQL being back "
        f"({'never' if recovery is None else f'{recovery:.2f} s'})": recovery is not None
        and recovery <= RECOVERY_GOAL_SECONDS,
        "writes acknowledged again after the restart": bool(after_restart),
        "every acknowledged write in the database": not lost,
        "no half-applied correction": not half,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    print("RESULT:", "PASS" if all(checks.values()) else "FAIL")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
