"""The Web Annotation Protocol: one container per article, the annotations in it, and a read-only collection of all.

Every response is JSON: JSON-LD for resources, `{"error": ..., "field": ...}` for failures (never an HTML
login page). Writes need a signed-in editor; the CSRF check is done here, after authentication, so that a
failure answers in JSON too (the view is csrf_exempt only so the middleware does not answer first).
"""

import hashlib
import json
import re
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from annotations import jsonld
from annotations.models import Annotation
from annotations.services.annotating import (
    AnnotationConflict,
    AnnotationError,
    annotation_create,
    annotation_delete,
    annotation_update,
    ensure_can_modify,
)
from archive.models import Article

PAGE_SIZE = 100
MAX_REQUEST_BYTES = 64 * 1024
LDP = "http://www.w3.org/ns/ldp#"
CONSTRAINED_BY = f'<http://www.w3.org/TR/annotation-protocol/>; rel="{LDP}constrainedBy"'
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
PREFER_MINIMAL = f"{LDP}PreferMinimalContainer"
ADD_PERMISSION = "annotations.add_annotation"


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str = "", headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.field, self.headers = status, field, headers or {}


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def csrf_failure(request) -> str | None:
    """Run Django's CSRF check on the request; return why it fails, or None."""
    check = _CsrfCheck(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def require_writer(request) -> None:
    """Raise ApiError unless a signed-in editor sent the request with a valid CSRF token."""
    if not request.user.is_authenticated:
        raise ApiError(401, "sign in to write annotations", headers={"WWW-Authenticate": 'Session realm="Palimpsest"'})
    reason = csrf_failure(request)
    if reason:
        raise ApiError(403, f"CSRF check failed: {reason}")
    if not request.user.has_perm(ADD_PERMISSION):
        raise ApiError(403, "only editors may write annotations")


def read_json(request) -> Any:
    """The request body as JSON; ApiError for a wrong media type, an oversize body or malformed JSON."""
    if request.content_type != "application/ld+json":
        raise ApiError(415, f"send {jsonld.MEDIA_TYPE}", "Content-Type")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        raise ApiError(413, f"the request body is over {MAX_REQUEST_BYTES // 1024} KB")
    try:
        raw = request.body
    except RequestDataTooBig as error:
        raise ApiError(413, f"the request body is over {MAX_REQUEST_BYTES // 1024} KB") from error
    if len(raw) > MAX_REQUEST_BYTES:
        raise ApiError(413, f"the request body is over {MAX_REQUEST_BYTES // 1024} KB")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError(400, f"malformed JSON: {error}") from error


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def matching_version(request, annotation: Annotation, *, required: bool) -> int | None:
    """The version an If-Match header vouches for; 428 when required and missing, 412 when stale."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise ApiError(428, "send If-Match with the ETag you read, so that no update is lost", "If-Match")
        return None
    tags = [tag.strip() for tag in header.split(",")]
    if "*" in tags or annotation.etag in tags:  # strong comparison: W/ tags never match
        return annotation.version
    raise ApiError(412, f"the annotation changed since you read it; its ETag is now {annotation.etag}", "If-Match")


def prefer_include(request) -> set[str]:
    """The IRIs in `Prefer: return=representation; include="..."`."""
    found = re.search(r'include\s*=\s*"([^"]*)"', request.headers.get("Prefer", ""))
    return set(found.group(1).split()) if found else set()


def jsonld_response(data: dict, *, status: int = 200, etag: str | None = None) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=jsonld.MEDIA_TYPE)
    response["ETag"] = etag or f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return response


class JsonLdView(View):
    """Turns errors into JSON and puts the protocol's headers (Allow, Link, Vary) on every response."""

    allow = "GET, HEAD, OPTIONS"
    links: tuple[str, ...] = ()
    vary: tuple[str, ...] = ("Accept",)
    headers: dict[str, str] = {}

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except ApiError as error:
            response = error_response(error.status, str(error), error.field, error.headers)
        except AnnotationError as error:
            response = error_response(400, str(error), error.field)
        except AnnotationConflict as error:
            response = error_response(412, str(error), "If-Match")
        except PermissionDenied as error:
            response = error_response(403, str(error) or "not allowed")
        except Http404:
            response = error_response(404, "no such resource, or not visible to you")
        if response.status_code == 200 and request.method == "GET" and _not_modified(request, response):
            response = HttpResponse(status=304, headers={"ETag": response["ETag"]})
        response["Allow"] = self.allow
        if self.links:
            response["Link"] = ", ".join(self.links)
        for name, value in self.headers.items():
            response[name] = value
        patch_vary_headers(response, self.vary)
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise ApiError(405, f"{request.method} is not allowed here; use {self.allow}")

    def links_for(self) -> jsonld.Links:
        return jsonld.Links.for_request(self.request)


def error_response(status: int, message: str, field: str = "", headers: dict | None = None) -> HttpResponse:
    body = json.dumps({"error": message, "field": field}, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json", headers=headers)


def _not_modified(request, response) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    return response.has_header("ETag") and response["ETag"] in tags


def annotation_response(annotation: Annotation, links: jsonld.Links, status: int = 200) -> HttpResponse:
    data = jsonld.annotation_to_jsonld(annotation, links)
    response = jsonld_response(data, status=status, etag=annotation.etag)
    response["Content-Location"] = data["id"]
    return response


def visible_annotations(user):
    """Annotations `user` may read, on articles `user` may read, with what the JSON-LD needs loaded."""
    return jsonld.for_jsonld(Annotation.objects.visible_to(user).filter(article__in=Article.objects.visible_to(user)))


class AnnotationView(JsonLdView):
    """One annotation: GET/HEAD/OPTIONS for readers, PUT (with If-Match) and DELETE for its author."""

    allow = "GET, HEAD, OPTIONS, PUT, DELETE"
    links = (f'<{LDP}Resource>; rel="type"',)

    def get_object(self) -> Annotation:
        rows = visible_annotations(self.request.user).filter(pk=self.kwargs["pk"])
        if "slug" in self.kwargs:
            rows = rows.filter(article__slug=self.kwargs["slug"])
        annotation = rows.first()
        if annotation is None:
            raise Http404
        return annotation

    def get(self, request, **kwargs):
        return annotation_response(self.get_object(), self.links_for())

    def options(self, request, **kwargs):
        self.get_object()
        return HttpResponse(status=200)

    def put(self, request, **kwargs):
        require_writer(request)
        annotation = self.get_object()
        ensure_can_modify(request.user, annotation)
        version = matching_version(request, annotation, required=True)
        change = jsonld.parse_replacement(read_json(request), annotation, self.links_for())
        annotation_update(
            annotation=annotation,
            user=request.user,
            expected_version=version,
            body=change.body,
            visibility=change.visibility,
            status=change.status,
            motivation=change.motivation,
        )
        return annotation_response(annotation, self.links_for())

    def delete(self, request, **kwargs):
        require_writer(request)
        annotation = self.get_object()
        version = matching_version(request, annotation, required=False)
        annotation_delete(annotation=annotation, user=request.user, expected_version=version)
        return HttpResponse(status=204)


class CollectionView(JsonLdView):
    """A paged AnnotationCollection; `?page=N` is page N; `?iris=1` lists IRIs instead of descriptions."""

    container = False

    def get_article(self) -> Article | None:
        return None

    def get_annotations(self, article):
        return visible_annotations(self.request.user).order_by("pk")

    def get(self, request, **kwargs):
        article = self.get_article()
        rows, links = self.get_annotations(article), self.links_for()
        base, include = links.container(article), prefer_include(request)
        iris = request.GET.get("iris") == "1" or (PREFER_IRIS in include and PREFER_DESCRIPTIONS not in include)
        own_id = f"{base}?iris=1" if iris else base
        stats = rows.aggregate(total=Count("pk"), modified=Max("modified_at"))
        label = f"Annotations on “{article.headline}”" if article else "All annotations"
        described = jsonld.part_of(id=own_id, label=label, **stats)
        last = max(0, (stats["total"] - 1) // PAGE_SIZE)
        if "page" in request.GET:
            page = self.page(rows, links, own_id, _page_number(request.GET["page"], last), last, iris)
            return jsonld_response(jsonld.page_to_jsonld(page, described))
        first: dict | str = page_url(own_id, 0)
        if PREFER_MINIMAL not in include:
            first = jsonld.page_to_jsonld(self.page(rows, links, own_id, 0, last, iris), described, context=False)
        data = jsonld.collection_to_jsonld(
            id=own_id, label=label, first=first, last=page_url(own_id, last), container=self.container, **stats
        )
        response = jsonld_response(data)
        response["Content-Location"] = own_id
        return response

    def page(self, rows, links, own_id: str, number: int, last: int, iris: bool) -> jsonld.Page:
        start = number * PAGE_SIZE
        chunk = rows[start : start + PAGE_SIZE]
        if iris:
            items: list = [links.annotation(a) for a in chunk]
        else:
            items = [jsonld.annotation_to_jsonld(a, links, context=False) for a in chunk]
        return jsonld.Page(
            id=page_url(own_id, number),
            start_index=start,
            items=items,
            next=page_url(own_id, number + 1) if number < last else None,
            prev=page_url(own_id, number - 1) if number > 0 else None,
        )

    def options(self, request, **kwargs):
        self.get_article()
        return HttpResponse(status=200)


def page_url(collection_id: str, number: int) -> str:
    return f"{collection_id}{'&' if '?' in collection_id else '?'}page={number}"


def _page_number(value: str, last: int) -> int:
    if not value.isdigit() or int(value) > last:
        raise Http404
    return int(value)


class ContainerView(CollectionView):
    """An article's annotation container (LDP BasicContainer): GET lists, POST creates."""

    container = True
    allow = "GET, HEAD, OPTIONS, POST"
    links = (f'<{LDP}BasicContainer>; rel="type"', CONSTRAINED_BY)
    vary = ("Accept", "Prefer")
    headers = {"Accept-Post": jsonld.MEDIA_TYPE}

    def get_article(self) -> Article:
        article = Article.objects.visible_to(self.request.user).filter(slug=self.kwargs["slug"]).first()
        if article is None:
            raise Http404
        return article

    def get_annotations(self, article):
        return visible_annotations(self.request.user).filter(article=article).order_by("pk")

    def post(self, request, **kwargs):
        require_writer(request)
        article, links = self.get_article(), self.links_for()
        posted = jsonld.parse_annotation(read_json(request))
        if posted.status not in (None, Annotation.Status.OPEN):
            raise ApiError(400, "a new annotation is open; resolve it with a PUT", "pal:status")
        parent = None
        if isinstance(posted.target, jsonld.ReplyTarget):
            parent = self.get_parent(article, links, posted.target.iri)
        elif links.article_slug(posted.target.source) != article.slug:
            raise ApiError(400, f"the target source must be this article: {links.article(article)}", "target.source")
        annotation = annotation_create(
            article=article,
            creator=request.user,
            motivation=posted.motivation,
            selectors=None if parent else posted.target.selectors,
            parent=parent,
            body=posted.body,
            visibility=posted.visibility or Annotation.Visibility.EDITORS,
            canonical=posted.canonical,
        )
        response = annotation_response(annotation, links, status=201)
        response["Location"] = response["Content-Location"]
        return response

    def get_parent(self, article: Article, links: jsonld.Links, iri: str) -> Annotation:
        pk = links.annotation_pk(iri)
        parent = visible_annotations(self.request.user).filter(article=article, pk=pk).first() if pk else None
        if parent is None:
            raise ApiError(400, "a reply must target the IRI of a visible annotation on this article", "target")
        return parent
