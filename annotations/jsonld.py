"""W3C Web Annotation JSON-LD: annotations out as dicts, posted annotations in as service arguments.

No queries here: callers pass annotations with `article`, `creator`, `revision` (and `entity`) loaded.
Our own terms (visibility, status, anchoring, revision) are compact IRIs under the `pal:` prefix,
declared in the @context, so they stay legal JSON-LD and never shadow a W3C term.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from django.urls import Resolver404, resolve, reverse

from annotations.anchoring import Selectors
from annotations.models import Annotation
from annotations.services.annotating import TEXT_MOTIVATIONS, AnnotationError, Body

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
#: Namespace of our extension terms. A placeholder until the project has a domain of its own.
PALIMPSEST_NS = "https://palimpsest.example/ns#"
CONTEXT: list[Any] = [ANNO_CONTEXT, {"pal": PALIMPSEST_NS}]
CONTAINER_CONTEXT: list[Any] = [ANNO_CONTEXT, LDP_CONTEXT, {"pal": PALIMPSEST_NS}]
MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
BODY_FORMATS = ("text/plain", "text/markdown")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
ANNOTATION_ROUTES = ("annotations:annotation", "annotations:article_annotation")
#: Related rows the JSON-LD reads, and their columns it never needs (revision texts stay in the database).
RELATED = ("article", "creator", "revision", "entity")
UNUSED_COLUMNS = ("revision__text", "revision__blocks", "entity__aliases", "entity__description")


def for_jsonld(annotations):
    """The queryset with what `annotation_to_jsonld` reads loaded in the same query."""
    return annotations.select_related(*RELATED).defer(*UNUSED_COLUMNS)


def iso(moment: datetime) -> str:
    """Return an aware datetime as ISO 8601 in UTC with a Z, keeping microseconds (lossless)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(value: Any, field: str) -> datetime:
    """Read an ISO 8601 date-time that carries a time zone; raise AnnotationError otherwise."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise AnnotationError(f"{field} must be an ISO 8601 date-time with a time zone", field)
    return moment


@dataclass(frozen=True)
class Links:
    """Builds our absolute IRIs and reads them back (path only, so exports survive a change of host)."""

    absolute: Callable[[str], str]
    host: str

    @classmethod
    def for_request(cls, request) -> "Links":
        return cls(request.build_absolute_uri, request.get_host())

    @classmethod
    def for_base(cls, base_url: str) -> "Links":
        base = base_url.rstrip("/") + "/"
        return cls(lambda path: urljoin(base, path.lstrip("/")), urlsplit(base).netloc)

    def annotation(self, annotation: Annotation) -> str:
        kwargs = {"slug": annotation.article.slug, "pk": annotation.pk}
        return self.absolute(reverse("annotations:article_annotation", kwargs=kwargs))

    def parent(self, annotation: Annotation) -> str:
        kwargs = {"slug": annotation.article.slug, "pk": annotation.parent_id}
        return self.absolute(reverse("annotations:article_annotation", kwargs=kwargs))

    def article(self, article) -> str:
        return self.absolute(article.get_absolute_url())

    def container(self, article=None) -> str:
        if article is None:
            return self.absolute(reverse("annotations:collection"))
        return self.absolute(reverse("annotations:container", kwargs={"slug": article.slug}))

    def person(self, user) -> str:
        """An `acct:` URI for a user (as Hypothesis does): there are no public profile pages."""
        return f"acct:{quote(user.get_username(), safe='')}@{self.host}"

    def route(self, iri: str, *, any_host: bool = False) -> tuple[str, dict] | None:
        """The URL name and kwargs an IRI of ours points to, or None (another host, or no route)."""
        if not isinstance(iri, str):
            return None
        parts = urlsplit(urljoin(self.absolute("/"), iri))
        if not any_host and parts.netloc != self.host:
            return None
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        return match.view_name, match.kwargs

    def annotation_pk(self, iri: str, *, any_host: bool = False) -> int | None:
        found = self.route(iri, any_host=any_host)
        return found[1]["pk"] if found and found[0] in ANNOTATION_ROUTES else None

    def article_slug(self, iri: str, *, any_host: bool = False) -> str | None:
        found = self.route(iri, any_host=any_host)
        return found[1]["slug"] if found and found[0] == "archive:article_detail" else None


# --------------------------------------------------------------------------- out


def annotation_to_jsonld(annotation: Annotation, links: Links, *, context: bool = True, export: bool = False) -> dict:
    """Return one annotation as a W3C Web Annotation; `export` adds what a lossless restore needs."""
    data: dict[str, Any] = {"@context": CONTEXT} if context else {}
    data |= {
        "id": links.annotation(annotation),
        "type": "Annotation",
        "canonical": annotation.canonical,
        "motivation": annotation.motivation,
    }
    if annotation.body_value:
        body = {"type": "TextualBody", "value": annotation.body_value, "format": annotation.body_format}
        body["purpose"] = annotation.motivation
        if annotation.body_language:
            body["language"] = annotation.body_language
        data["body"] = body
    data["target"] = _target(annotation, links)
    creator = annotation.creator
    data["creator"] = {"id": links.person(creator), "type": "Person", "nickname": creator.get_username()}
    data |= {"created": iso(annotation.created_at), "modified": iso(annotation.modified_at)}
    data |= {
        "pal:visibility": annotation.visibility,
        "pal:status": annotation.status,
        "pal:revision": annotation.revision.number,
    }
    if not annotation.is_reply:
        data["pal:anchorState"] = annotation.anchor_state
        if annotation.anchor_strategy:
            data["pal:anchorStrategy"] = annotation.anchor_strategy
        if annotation.anchor_score is not None:
            data["pal:anchorScore"] = annotation.anchor_score
    if annotation.entity_id is not None:
        data["pal:entity"] = annotation.entity.slug
    if export:
        data["pal:version"] = annotation.version
    return data


def _target(annotation: Annotation, links: Links) -> str | dict:
    """A reply targets its parent's IRI; other annotations a SpecificResource on the article's text."""
    if annotation.is_reply:
        return links.parent(annotation)
    return {
        "type": "SpecificResource",
        "source": links.article(annotation.article),
        "selector": annotation.selectors.to_jsonld(),
        # The selectors describe the text as it stood in this revision (the source as of its date).
        "state": {"type": "TimeState", "sourceDate": iso(annotation.revision.created_at)},
    }


@dataclass(frozen=True)
class Page:
    """One AnnotationPage of a collection: where it starts, what it holds, how to reach its neighbours."""

    id: str
    start_index: int
    items: list
    next: str | None = None
    prev: str | None = None


def page_to_jsonld(page: Page, part_of: dict, *, context: bool = True) -> dict:
    """Return an AnnotationPage; `part_of` describes its collection (id, total, modified)."""
    data: dict[str, Any] = {"@context": CONTEXT} if context else {}
    data |= {"id": page.id, "type": "AnnotationPage", "partOf": part_of, "startIndex": page.start_index}
    if page.next:
        data["next"] = page.next
    if page.prev:
        data["prev"] = page.prev
    data["items"] = page.items
    return data


def collection_to_jsonld(
    *,
    id: str,
    label: str,
    total: int,
    modified: datetime | None,
    first: dict | str | None,
    last: str | None,
    container: bool,
) -> dict:
    """Return an AnnotationCollection (also an LDP BasicContainer when `container`); no first/last when empty."""
    data: dict[str, Any] = {
        "@context": CONTAINER_CONTEXT if container else CONTEXT,
        "id": id,
        "type": ["BasicContainer", "AnnotationCollection"] if container else "AnnotationCollection",
        "label": label,
        "total": total,
    }
    if modified is not None:
        data["modified"] = iso(modified)
    if total and first is not None:
        data["first"] = first
    if total and last is not None:
        data["last"] = last
    return data


def part_of(*, id: str, label: str, total: int, modified: datetime | None) -> dict:
    """The description of a collection that its pages embed as `partOf`."""
    data: dict[str, Any] = {"id": id, "label": label, "total": total}
    if modified is not None:
        data["modified"] = iso(modified)
    return data


# --------------------------------------------------------------------------- in


@dataclass(frozen=True)
class TextTarget:
    source: str
    selectors: Selectors


@dataclass(frozen=True)
class ReplyTarget:
    iri: str


@dataclass(frozen=True)
class Posted:
    """A W3C annotation read from JSON: what the services need, still unresolved against the database."""

    motivation: str
    body: Body
    target: TextTarget | ReplyTarget
    canonical: str = ""
    id: str = ""
    visibility: str | None = None
    status: str | None = None
    motivation_given: bool = True


def parse_annotation(data: Any) -> Posted:
    """Read a posted W3C Web Annotation; raise AnnotationError naming the first field that is wrong."""
    if not isinstance(data, dict):
        raise AnnotationError("the request body must be a JSON object (one Annotation)", "")
    context = data.get("@context")
    if not (context == ANNO_CONTEXT or (isinstance(context, list) and ANNO_CONTEXT in context)):
        raise AnnotationError(f"@context must be (or include) {ANNO_CONTEXT}", "@context")
    if "Annotation" not in as_list(data.get("type")):
        raise AnnotationError('type must be "Annotation"', "type")
    target = _parse_target(data.get("target"))
    motivation, given = _parse_motivation(data.get("motivation"), target)
    body = _parse_body(data)
    purpose = _body_purpose(data)
    if purpose is not None and purpose != motivation:
        raise AnnotationError(f"the body's purpose must be the motivation, {motivation}", "body.purpose")
    return Posted(
        motivation=motivation,
        motivation_given=given,
        body=body,
        target=target,
        canonical=_optional_str(data, "canonical"),
        id=_optional_str(data, "id"),
        visibility=_choice(data, "pal:visibility", Annotation.Visibility.values),
        status=_choice(data, "pal:status", Annotation.Status.values),
    )


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _single(value: Any, field: str, what: str) -> Any:
    items = as_list(value)
    if len(items) != 1:
        raise AnnotationError(f"exactly one {what} is supported, got {len(items)}", field)
    return items[0]


def _optional_str(data: dict, key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise AnnotationError(f"{key} must be a string", key)
    return value


def _choice(data: dict, key: str, allowed: Iterable[str]) -> str | None:
    if key not in data:
        return None
    value = data[key]
    if value not in allowed:
        raise AnnotationError(f"{key} must be one of {', '.join(allowed)}; got {value!r}", key)
    return value


def _parse_motivation(value: Any, target: TextTarget | ReplyTarget) -> tuple[str, bool]:
    is_reply = isinstance(target, ReplyTarget)
    if value is None:
        return (Annotation.Motivation.REPLYING if is_reply else Annotation.Motivation.COMMENTING), False
    motivation = _single(value, "motivation", "motivation")
    if not isinstance(motivation, str) or motivation.removeprefix("oa:") not in Annotation.Motivation.values:
        known = ", ".join(Annotation.Motivation.values)
        raise AnnotationError(f"unknown motivation {motivation!r}; known: {known}", "motivation")
    motivation = motivation.removeprefix("oa:")
    if is_reply and motivation != Annotation.Motivation.REPLYING:
        raise AnnotationError("an annotation on another annotation must have the motivation replying", "motivation")
    if not is_reply and motivation not in TEXT_MOTIVATIONS:
        raise AnnotationError("a reply must target the IRI of the annotation it answers", "target")
    return motivation, True


def _body_purpose(data: dict) -> str | None:
    """The TextualBody's purpose, if any: we keep one body whose purpose is the annotation's motivation."""
    bodies = as_list(data.get("body"))
    purpose = bodies[0].get("purpose") if len(bodies) == 1 and isinstance(bodies[0], dict) else None
    if purpose is None:
        return None
    purpose = _single(purpose, "body.purpose", "purpose")
    return purpose.removeprefix("oa:") if isinstance(purpose, str) else ""


def _parse_body(data: dict) -> Body:
    if data.get("body") is not None and data.get("bodyValue") is not None:
        raise AnnotationError("give either body or bodyValue, not both", "body")
    if data.get("bodyValue") is not None:
        value = data["bodyValue"]
        if not isinstance(value, str):
            raise AnnotationError("bodyValue must be a string", "bodyValue")
        return Body(value)
    if data.get("body") is None:
        return Body()
    body = _single(data["body"], "body", "body")
    if not isinstance(body, dict):
        raise AnnotationError("the body must be a TextualBody object", "body")
    if "type" in body and "TextualBody" not in as_list(body["type"]):
        raise AnnotationError("only TextualBody bodies are supported", "body.type")
    value, format_, language = body.get("value"), body.get("format", "text/plain"), body.get("language", "")
    if not isinstance(value, str):
        raise AnnotationError("the TextualBody needs a string value", "body.value")
    if format_ not in BODY_FORMATS:
        raise AnnotationError(f"body format must be one of {', '.join(BODY_FORMATS)}", "body.format")
    if not isinstance(language, str) or (language and not LANGUAGE_TAG.match(language)) or len(language) > 16:
        raise AnnotationError("body language must be a BCP 47 language tag such as en or pt-BR", "body.language")
    return Body(value, format_, language)


def _parse_target(value: Any) -> TextTarget | ReplyTarget:
    if value is None:
        raise AnnotationError("an annotation needs a target", "target")
    target = _single(value, "target", "target")
    if isinstance(target, str):
        return ReplyTarget(target)
    if not isinstance(target, dict):
        raise AnnotationError("the target must be an IRI or a SpecificResource object", "target")
    source = target.get("source")
    if "selector" not in target:
        iri = source if source is not None else target.get("id")
        if isinstance(iri, str):
            return ReplyTarget(iri)
        raise AnnotationError("the target needs a source and a selector", "target")
    if not isinstance(source, str):
        raise AnnotationError("the target needs the article's IRI as its source", "target.source")
    selector = target["selector"]
    try:
        selectors = Selectors.from_jsonld(selector if isinstance(selector, list) else [selector])
    except ValueError as error:
        raise AnnotationError(f"selector: {error}", "target.selector") from error
    return TextTarget(source, selectors)


@dataclass(frozen=True)
class Replacement:
    """What a PUT may change: body, visibility, status (motivation is checked, never changed)."""

    body: Body
    visibility: str | None
    status: str | None
    motivation: str | None


def parse_replacement(data: Any, annotation: Annotation, links: Links) -> Replacement:
    """Read a PUT body for `annotation`; raise AnnotationError when it changes what cannot change.

    The server keeps id, canonical, target, creator and the dates; a body left out means no body,
    our pal: terms left out stay as they are.
    """
    posted = parse_annotation(data)
    if posted.id and links.annotation_pk(posted.id) != annotation.pk:
        raise AnnotationError("the id in the body is not this annotation's IRI", "id")
    if posted.canonical and posted.canonical != annotation.canonical:
        raise AnnotationError("canonical never changes; make a new annotation instead", "canonical")
    if not same_target(posted.target, annotation, links):
        raise AnnotationError("the target of an annotation cannot change; make a new annotation instead", "target")
    return Replacement(
        body=posted.body,
        visibility=posted.visibility,
        status=posted.status,
        motivation=posted.motivation if posted.motivation_given else None,
    )


def same_target(target: TextTarget | ReplyTarget, annotation: Annotation, links: Links) -> bool:
    """Whether a posted target names what `annotation` targets now (quote and position, if given)."""
    if annotation.is_reply:
        return isinstance(target, ReplyTarget) and links.annotation_pk(target.iri) == annotation.parent_id
    if not isinstance(target, TextTarget) or links.article_slug(target.source) != annotation.article.slug:
        return False
    given, stored = target.selectors, annotation.selectors
    if given.exact is not None and given.exact != stored.exact:
        return False
    return given.start is None or (given.start, given.end) == (stored.start, stored.end)


@dataclass(frozen=True)
class Restorable:
    """An exported annotation with everything a lossless restore needs."""

    posted: Posted
    creator: str
    created: datetime
    modified: datetime
    revision: int
    anchor_state: str
    anchor_strategy: str
    anchor_score: float | None
    entity: str
    version: int


def parse_restorable(item: Any) -> Restorable:
    """Read one item of an export (embedded items inherit the collection's @context)."""
    if not isinstance(item, dict):
        raise AnnotationError("an item must be a JSON object", "")
    posted = parse_annotation({"@context": ANNO_CONTEXT} | item)
    if not posted.canonical or not posted.id:
        raise AnnotationError("an exported annotation needs its id and canonical", "canonical")
    creator = item.get("creator")
    username = creator.get("nickname") if isinstance(creator, dict) else None
    if not isinstance(username, str) or not username:
        raise AnnotationError("the creator needs the user name as nickname", "creator.nickname")
    score = item.get("pal:anchorScore")
    numbers = {key: item.get(key) for key in ("pal:revision", "pal:version")}
    for key, value in numbers.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise AnnotationError(f"{key} must be a positive integer", key)
    if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
        raise AnnotationError("pal:anchorScore must be a number", "pal:anchorScore")
    return Restorable(
        posted=posted,
        creator=username,
        created=parse_iso(item.get("created"), "created"),
        modified=parse_iso(item.get("modified"), "modified"),
        revision=numbers["pal:revision"],
        anchor_state=_choice(item, "pal:anchorState", Annotation.Anchoring.values) or Annotation.Anchoring.ANCHORED,
        anchor_strategy=_optional_str(item, "pal:anchorStrategy"),
        anchor_score=score,
        entity=_optional_str(item, "pal:entity"),
        version=numbers["pal:version"],
    )
