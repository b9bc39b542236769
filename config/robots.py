"""robots.txt: crawlers read the public pages and the sitemap, not the editor's, the admin's or sign-in pages."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

PRIVATE_PREFIXES = ("/editor/", "/admin/", "/accounts/")


@require_safe
@cache_control(public=True, max_age=60 * 60)
def robots_txt(request) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
