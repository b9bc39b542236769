"""Linking related coverage from the workspace: another archive article, or a page elsewhere."""

from django.contrib import messages
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.views import View

from annotations.services.annotating import AnnotationError
from annotations.services.links import ExternalCoverage, LinkError, article_link_create, external_link_create
from archive.models import Article
from editor.views.access import EditorRequiredMixin
from editor.views.workspace import PassageFormView, workspace_url

LOOKUP_LIMIT = 10


def article_named(user, value: str, exclude: Article) -> list[Article]:
    """Articles `user` may see (other than `exclude`) named by a URL or slug, else by their exact headline."""
    slug = value.strip()
    try:
        match = resolve(slug) if slug.startswith("/") else None
    except Resolver404:
        match = None
    if match and "slug" in match.kwargs:
        slug = match.kwargs["slug"]
    visible = Article.objects.visible_to(user).exclude(pk=exclude.pk)
    return list(visible.filter(slug=slug)[:1]) or list(visible.filter(headline__iexact=value.strip())[:5])


class LinkCreateView(PassageFormView):
    """Add a typed link to an archive article or a link to external coverage, on a passage or the whole article."""

    context_name = "link_form"

    def form_valid(self, form):
        data, selectors = form.cleaned_data, None
        if data["quote"]:
            selectors = form.selectors_in(self.article.current_revision.text)
            if selectors is None:
                return self.refuse_passage(form)
        try:
            shown = self.create(form, data, selectors)
        except (LinkError, AnnotationError) as exc:
            return self.refuse(form, f"Nothing was linked: {exc}.")
        if shown is None:
            return self.refuse(form, "No article has this headline: choose one of the suggestions.", "target")
        messages.success(self.request, f"Linked: {shown}.")
        return redirect(workspace_url(self.article))

    def create(self, form, data, selectors) -> str | None:
        user = self.request.user
        if data["url"]:
            coverage = ExternalCoverage(url=data["url"], title=data["title"], note=data["note"])
            link = external_link_create(article=self.article, user=user, coverage=coverage, selectors=selectors)
            return link.title
        found = article_named(user, data["target"], self.article)
        if len(found) != 1:
            return None
        link = article_link_create(
            source=self.article, target=found[0], kind=data["kind"], user=user, note=data["note"], selectors=selectors
        )
        return f"{link.get_kind_display()}: {found[0].headline}"


class ArticleLookupView(EditorRequiredMixin, View):
    """JSON suggestions for the link form: articles whose headline contains ?q=."""

    def get(self, request):
        query = " ".join(request.GET.get("q", "").split())
        rows = []
        if len(query) >= 2:
            rows = (
                Article.objects.visible_to(request.user)
                .filter(Q(headline__icontains=query) | Q(slug=query))
                .exclude(slug=request.GET.get("exclude", ""))
                .order_by("-published_on", "headline")[:LOOKUP_LIMIT]
            )
        results = [{"value": a.headline, "label": str(a.published_on or a.slug)} for a in rows]
        return JsonResponse({"results": results})
