"""Annotations and what builds on them: corrections, the glossary, entities and related coverage."""

from annotations.models.annotation import Annotation, AnnotationQuerySet
from annotations.models.correction import Correction, GlossaryEntry
from annotations.models.entity import Entity, EntitySuggestion, TaggedEntity
from annotations.models.link import ArticleLink, ExternalLink

__all__ = [
    "Annotation",
    "AnnotationQuerySet",
    "ArticleLink",
    "Correction",
    "Entity",
    "EntitySuggestion",
    "ExternalLink",
    "GlossaryEntry",
    "TaggedEntity",
]
