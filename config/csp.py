"""Content-Security-Policy header on every response, from the `SECURE_CSP` setting.

Django 5.2 has no built-in CSP; this middleware takes the same setting shape as Django 6.0's
(`{"directive": ["source", ...]}`), so moving to `django.middleware.csp` later is a one-line change.
The policy allows no inline scripts or styles: templates load `static/` files only.
In DEBUG the header is report-only, so Django's technical error pages (inline CSS/JS) still render.
"""

from django.conf import settings


def policy_header(policy: dict[str, list[str]]) -> str:
    """Return the header value for a `{directive: [sources]}` policy (directives without sources stand alone)."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.value = policy_header(settings.SECURE_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        header = "Content-Security-Policy-Report-Only" if settings.DEBUG else "Content-Security-Policy"
        # A view may set a stricter policy of its own; keep it.
        response.headers.setdefault(header, self.value)
        return response
