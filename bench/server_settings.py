"""Settings of the performance benchmark's gunicorn: the production settings, plus bench/server_urls.py.

Only the URLconf changes (a hello-world view, a one-row page and a cache-miss variant of the article
page, for `make bench-perf`); the product never routes to them.
"""

from config.settings import *  # noqa: F403 - the production settings, unchanged

ROOT_URLCONF = "bench.server_urls"
