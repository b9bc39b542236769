"""Settings of the performance benchmark's gunicorn: the production settings, plus bench/server_urls.py.

Only the URLconf changes (a hello-world view, a one-row page and a cache-miss variant of the article
page, for `make bench-perf`), with a middleware in front that drops the miss URL's copy in the worker; the
product never routes to them.
"""

from config.settings import *  # noqa: F403 - the production settings, unchanged
from config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.server_urls"
MIDDLEWARE = ["bench.server_urls.out_of_date_first", *MIDDLEWARE]
