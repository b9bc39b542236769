"""Annotations and what builds on them: corrections, the glossary, entities and related coverage."""

from annotations.models.annotation import Annotation, AnnotationQuerySet
from annotations.models.correction import Correction, GlossaryEntry
from annotations.models.entity import Entity, EntitySuggestion, TaggedEntity
from annotations.models.link import ArticleLink, ExternalLink
from annotations.models.search import ArticleSearch

__all__ = [
    "Annotation",
    "AnnotationQuerySet",
    "ArticleLink",
    "ArticleSearch",
    "Correction",
    "Entity",
    "EntitySuggestion",
    "ExternalLink",
    "GlossaryEntry",
    "TaggedEntity",
]
