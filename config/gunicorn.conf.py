"""gunicorn settings for `make serve`; every value can be overridden from the environment.

Threads (gthread) let a worker overlap database and Redis waits; each thread keeps its own
persistent PostgreSQL connection (CONN_MAX_AGE), so PostgreSQL sees workers × threads connections
per app server: keep that under max_connections across all servers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two processes per core, two threads each (bench/README.md, "Performance", measured on 2 cores with
# cached pages at 16 connections): 5 x 4 (the classic 2 x cores + 1) left threads waiting for each
# other's time slices, p99 16-26 ms; 2 x 4 balanced connections badly between its two processes (some
# runs at half the throughput, the other process idle); 4 x 2 held 5,400-6,300 req/s with p99 4-9 ms.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# A request past this many seconds is stuck (a lock, a dead connection): restart the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then so a slow leak cannot grow forever; jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
# Import Django once in the master: workers fork ready, and a broken release fails before serving.
preload_app = True
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Access and error log both on stderr, through a stream handler (opening /dev/stderr fails on a journald socket).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
