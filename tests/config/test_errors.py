"""A database outage gives a plain 503 page with Retry-After, never a traceback; error pages look finished."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.test import Client
from django.urls import path

import config.urls


def database_gone(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def connection_closed(request):
    raise InterfaceError("connection already closed")


def writes_session(request):
    request.session["seen"] = True
    return HttpResponse("ok")


def broken(request):
    raise ValueError("a bug")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test/database-gone/", database_gone),
    path("test/connection-closed/", connection_closed),
    path("test/writes-session/", writes_session),
    path("test/broken/", broken),
    path("test/forbidden/", forbidden),
    *config.urls.urlpatterns,
]
handler500 = config.urls.handler500

pytestmark = [pytest.mark.urls("tests.config.test_errors"), pytest.mark.django_db]


def assert_unavailable_page(response):
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert '<h1 class="page-title" id="error-heading">Briefly unavailable</h1>' in html
    assert 'class="site-header"' in html  # the site's own page, not a bare error
    assert "Traceback" not in html and "5432" not in html and "OperationalError" not in html


@pytest.mark.parametrize("url", ["/test/database-gone/", "/test/connection-closed/"])
def test_database_outage_in_a_view_is_a_503_page(client, url):
    assert_unavailable_page(client.get(url))


def test_database_outage_after_the_view_is_a_503_page_too(monkeypatch):
    def refuse(self, must_create=False):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(SessionStore, "save", refuse)
    assert_unavailable_page(Client(raise_request_exception=False).get("/test/writes-session/"))


def test_other_errors_are_the_500_page():
    response = Client(raise_request_exception=False).get("/test/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "a bug" not in html and "Traceback" not in html


def test_not_found_and_forbidden_pages(client):
    missing = client.get("/articles/no-such-article/")
    assert missing.status_code == 404 and "Page not found" in missing.content.decode()
    refused = client.get("/test/forbidden/")
    assert refused.status_code == 403 and "Not allowed" in refused.content.decode()
    assert 'href="/accounts/login/"' in refused.content.decode()


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize("name", ["500.html", "503.html"])
def test_outage_pages_render_without_database_or_request(name):
    html = loader.get_template(name).render()  # any database access would raise here
    assert 'class="site-header"' in html and "</html>" in html
