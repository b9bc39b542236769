"""WSGI entry point for gunicorn and other servers."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.template.loader import get_template
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view and compile the public pages' templates now rather than on a worker's first requests:
# with gunicorn's preload_app, workers fork with them loaded, and no reader waits for an import after a
# deploy or a worker's recycling (hundreds of milliseconds each, the whole tail of the latency figures).
get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf
for name in ("archive/article_detail.html", "archive/article_list.html", "base.html", "404.html"):
    get_template(name)

# Everything loaded so far lives as long as the process: move it out of the garbage collector's sight, so
# full collections scan only what requests allocate (they took tens of milliseconds, the p99 of cached
# pages), and forked workers keep sharing those pages of memory with the master.
gc.freeze()
