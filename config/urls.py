from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from annotations.sitemaps import EntitySitemap
from archive.sitemaps import ArticleSitemap
from config.health import healthz
from config.robots import robots_txt
from editor.throttling import ThrottledAdminAuthenticationForm
from editor.views.signin import ThrottledLoginView

admin.site.login_form = ThrottledAdminAuthenticationForm
handler500 = "config.errors.server_error"
SITEMAPS = {"articles": ArticleSitemap, "entities": EntitySitemap}

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("admin/", admin.site.urls),
    # Before django.contrib.auth.urls, whose unthrottled "login" it replaces.
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("editor/", include("editor.urls")),
    path("", include("archive.urls")),
    path("", include("annotations.urls")),
]
