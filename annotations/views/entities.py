"""Public pages of entities and topic tags: who and what the archive's articles are about."""

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import ListView
from taggit.models import Tag

from annotations.models import Annotation, Entity
from annotations.services.entities import live_entity
from archive.models import Article

ARTICLE_FIELDS = (
    "slug",
    "headline",
    "status",
    "published_at",
    "published_on",
    "published_on_precision",
    "outlet__name",
)


def can_see_drafts(user) -> bool:
    return user.is_authenticated and user.has_perm("archive.view_article")


def tags_visible_to(user):
    """Every topic tag for those who may see drafts; for the others, the tags of published articles."""
    if can_see_drafts(user):
        return Tag.objects.all()
    return Tag.objects.filter(Exists(Article.objects.published().filter(tags=OuterRef("pk"))))


def article_rows(user, **filters):
    """The articles this user may see matching `filters`, newest first, ready for the list template."""
    articles = Article.objects.visible_to(user).filter(**filters)
    return articles.select_related("outlet").only(*ARTICLE_FIELDS).order_by("-published_at", "-created_at", "-pk")


class EntityListView(ListView):
    """Every entity by kind, with how many articles are about it; readers see entities of published articles."""

    template_name = "annotations/entity_list.html"
    context_object_name = "entities"
    paginate_by = 200

    def get_queryset(self):
        drafts = can_see_drafts(self.request.user)
        published = Q() if drafts else Q(tagged_articles__content_object__status=Article.Status.PUBLISHED)
        entities = (
            Entity.objects.filter(merged_into__isnull=True)
            .annotate(article_count=Count("tagged_articles", filter=published))
            .only("name", "slug", "kind")
            .order_by("kind", "name")
        )
        if self.request.GET.get("kind") in Entity.Kind.values:
            entities = entities.filter(kind=self.request.GET["kind"])
        return entities if drafts else entities.filter(article_count__gt=0)

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=Entity.Kind.choices, kind=self.request.GET.get("kind", ""), **kwargs)


class EntityDetailView(ListView):
    """An entity and the articles about it, newest first; a merged entity's page moves to its target (301).

    Readers get 404 for an entity no published article is about (only drafts, or only non-public
    mentions): its name is not theirs to see. Those who may see drafts see every entity's page.
    """

    template_name = "annotations/entity_detail.html"
    context_object_name = "articles"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.entity = get_object_or_404(Entity, slug=kwargs["slug"])
        live = live_entity(self.entity) if self.entity.merged_into_id is not None else self.entity
        if not Entity.objects.visible_to(request.user).filter(pk=live.pk).exists():
            raise Http404("No published article is about this entity.")
        if live.pk != self.entity.pk:
            return HttpResponsePermanentRedirect(live.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return article_rows(self.request.user, entity_links__tag=self.entity)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(entity=self.entity, **kwargs)
        context["articles"] = articles = list(context["articles"])
        forms = defaultdict(list)
        mentions = Annotation.objects.visible_to(self.request.user).filter(
            entity=self.entity,
            motivation=Annotation.Motivation.IDENTIFYING,
            article_id__in=[article.pk for article in articles],
        )
        for article_id, exact in mentions.order_by("start").values_list("article_id", "exact"):
            if exact not in forms[article_id]:
                forms[article_id].append(exact)
        for article in articles:
            article.mentioned_as = forms.get(article.pk, [])
        return context


class TagDetailView(ListView):
    """The articles with a topic tag, newest first; readers get 404 for a tag only drafts have."""

    template_name = "annotations/tag_detail.html"
    context_object_name = "articles"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(tags_visible_to(request.user), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return article_rows(self.request.user, tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
