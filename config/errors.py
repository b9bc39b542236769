"""Clean failure when the database is down: a 503 page with Retry-After, never a traceback.

Two paths lead here. The middleware catches an outage raised by a view or while rendering its
template; `server_error` (handler500) catches one raised anywhere else (a middleware saving the
session, say), where Django has already turned the exception into a 500. Neither page touches the
database or needs the request: they render templates/503.html and 500.html with an empty context.
"""

import logging
import sys

from django import db
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("palimpsest.outage")

RETRY_AFTER_SECONDS = 30
DATABASE_OUTAGES = (db.OperationalError, db.InterfaceError)


def service_unavailable() -> HttpResponse:
    """Return the plain 503 page, uncacheable, asking clients to retry shortly."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database outage raised by a view into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_OUTAGES):
            return None
        logger.error("database unavailable on %s %s: %s", request.method, request.path, exception)
        return service_unavailable()


def server_error(request, template_name: str = "500.html") -> HttpResponse:
    """handler500: the 503 page when the exception being handled is a database outage, else 500.html."""
    if isinstance(sys.exc_info()[1], DATABASE_OUTAGES):
        return service_unavailable()
    return HttpResponseServerError(loader.get_template(template_name).render())
