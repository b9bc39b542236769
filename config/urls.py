from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from editor.throttling import ThrottledAdminAuthenticationForm
from editor.views.signin import ThrottledLoginView

admin.site.login_form = ThrottledAdminAuthenticationForm
handler500 = "config.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Before django.contrib.auth.urls, whose unthrottled "login" it replaces.
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("editor/", include("editor.urls")),
    path("", include("archive.urls")),
    path("", include("annotations.urls")),
]
