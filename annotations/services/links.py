"""Related coverage: typed links between archive articles, and links to coverage elsewhere.

`article_link_create(source=A, target=B, kind=…)` shows B on A's page under the kind's label
("Follow-up", "Background", …) and A on B's page under the reverse label ("Earlier coverage",
"Background for", …; ArticleLink.REVERSE_LABELS). "Same event" and "Other version" read the same
both ways, so B → A is refused as a duplicate of A → B for them.
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from annotations.anchoring import Selectors
from annotations.models import Annotation, ArticleLink, ExternalLink
from annotations.services.annotating import annotation_create
from archive.caching import articles_changed
from archive.models import Article

SYMMETRIC_KINDS = frozenset({ArticleLink.Kind.SAME_EVENT, ArticleLink.Kind.OTHER_VERSION})
ALLOWED_SCHEMES = ("http", "https")


class LinkError(ValueError):
    """A link that cannot be made as asked; the message says why."""


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
    return " ".join(exc.messages)


def _anchor(article: Article, user, selectors: Selectors | None) -> Annotation | None:
    """The `linking` annotation that anchors a link to a passage, when selectors are given."""
    if selectors is None:
        return None
    return annotation_create(
        article=article,
        creator=user,
        motivation=Annotation.Motivation.LINKING,
        selectors=selectors,
        visibility=Annotation.Visibility.PUBLIC,
    )


def article_link_create(
    *,
    source: Article,
    target: Article,
    kind: str,
    user,
    note: str = "",
    selectors: Selectors | None = None,
) -> ArticleLink:
    """Link `source` to `target` with a typed link, optionally anchored to a passage of `source`.

    Raises PermissionDenied without the permission, LinkError for a link to itself, an unknown
    kind or a link that already exists (in either direction for symmetric kinds).
    """
    if not user.has_perm("annotations.add_articlelink"):
        raise PermissionDenied("only editors may link articles")
    article_link_check(source=source, target=target, kind=kind)
    label = ArticleLink.Kind(kind).label.lower()
    try:
        with transaction.atomic():
            link = ArticleLink(source=source, target=target, kind=kind, note=note.strip(), created_by=user)
            link.full_clean(exclude=["annotation"], validate_constraints=False)
            link.annotation = _anchor(source, user, selectors)
            link.save()
            articles_changed([source.pk, target.pk])  # both pages list the link
    except ValidationError as exc:
        raise LinkError(_validation_message(exc)) from exc
    except IntegrityError as exc:  # a concurrent identical link won the race
        raise LinkError(f"these articles are already linked as {label}") from exc
    return link


def article_link_check(*, source: Article, target: Article, kind: str) -> None:
    """Raise LinkError for a link to itself, an unknown kind or a link that exists (both ways if symmetric)."""
    if kind not in ArticleLink.Kind.values:
        raise LinkError(f"unknown link type {kind!r}; use one of {', '.join(ArticleLink.Kind.values)}")
    if source.pk == target.pk:
        raise LinkError("an article cannot be linked to itself")
    existing = Q(source=source, target=target, kind=kind)
    if kind in SYMMETRIC_KINDS:
        existing |= Q(source=target, target=source, kind=kind)
    if ArticleLink.objects.filter(existing).exists():
        raise LinkError(f"these articles are already linked as {ArticleLink.Kind(kind).label.lower()}")


def article_link_delete(*, link: ArticleLink, user) -> None:
    """Remove a typed link (and its anchoring annotation)."""
    if not user.has_perm("annotations.delete_articlelink"):
        raise PermissionDenied("you may not remove links between articles")
    with transaction.atomic():
        if link.annotation_id:
            Annotation.objects.filter(pk=link.annotation_id).delete()
        link.delete()
        articles_changed([link.source_id, link.target_id])


def check_external_url(url: str) -> str:
    """Return the URL stripped; raise LinkError unless it is an absolute http(s) URL."""
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if ":" in url else ""
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise LinkError(f"only http and https links are allowed (this one has {shown})")
    return url


@dataclass(frozen=True)
class ExternalCoverage:
    url: str
    title: str
    outlet: str = ""
    language: str = ""
    published_on: date | None = None
    note: str = ""


def external_link_create(
    *, article: Article, user, coverage: ExternalCoverage, selectors: Selectors | None = None
) -> ExternalLink:
    """Add a link to coverage outside the archive, optionally anchored to a passage (a `linking` annotation).

    Raises PermissionDenied without the permission, LinkError for a URL that is not http(s)
    (`javascript:`, `data:`, `ftp:` …) or another invalid field.
    """
    if not user.has_perm("annotations.add_externallink"):
        raise PermissionDenied("only editors may add external links")
    url = check_external_url(coverage.url)
    try:
        with transaction.atomic():
            link = ExternalLink(
                article=article,
                url=url,
                title=coverage.title.strip(),
                outlet=coverage.outlet.strip(),
                language=coverage.language.strip(),
                published_on=coverage.published_on,
                note=coverage.note.strip(),
                created_by=user,
            )
            link.full_clean(exclude=["annotation"])
            link.annotation = _anchor(article, user, selectors)
            link.save()
            articles_changed([article.pk])
    except ValidationError as exc:
        raise LinkError(_validation_message(exc)) from exc
    return link


def external_link_delete(*, link: ExternalLink, user) -> None:
    """Remove an external link (and its anchoring annotation)."""
    if not user.has_perm("annotations.delete_externallink"):
        raise PermissionDenied("you may not remove external links")
    with transaction.atomic():
        if link.annotation_id:
            Annotation.objects.filter(pk=link.annotation_id).delete()
        link.delete()
        articles_changed([link.article_id])
