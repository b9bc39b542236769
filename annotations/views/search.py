"""The public search page: /search?q=… with filters by entity, tag, outlet and dates."""

from django import forms
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from annotations.models import Entity
from annotations.search import SearchFilters, entities_named, search_articles, spelling_suggestion
from annotations.search_query import parse_query, snippet
from annotations.views.entities import article_rows, tags_visible_to
from archive.models import Article, Outlet

PAGE_SIZE = 20


class SearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search the archive", strip=True)
    entity = forms.SlugField(required=False, allow_unicode=True, widget=forms.HiddenInput)
    tag = forms.SlugField(required=False, allow_unicode=True, widget=forms.HiddenInput)
    outlet = forms.ModelChoiceField(Outlet.objects.order_by("name"), required=False, empty_label="Any outlet")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        choices=[("relevance", "Most relevant"), ("date", "Newest first")], required=False, label="Order"
    )

    def filters(self, user) -> SearchFilters:
        """The filters asked for; an entity or tag `user` may not see is ignored, like an unknown one."""
        data = self.cleaned_data
        entity = Entity.objects.visible_to(user).filter(slug=data["entity"]).first() if data.get("entity") else None
        tag = tags_visible_to(user).filter(slug=data["tag"]).first() if data.get("tag") else None
        return SearchFilters(entity, tag, data.get("outlet"), data.get("date_from"), data.get("date_to"))


class SearchView(TemplateView):
    """Ranked full-text search; an empty query with filters lists the filtered articles newest first."""

    template_name = "annotations/search.html"

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET or None)
        context = super().get_context_data(form=form, **kwargs)
        if not form.is_bound or not form.is_valid():
            return context
        query, filters = parse_query(form.cleaned_data["q"]), form.filters(self.request.user)
        context |= {"query": query, "filters": filters, "searched": not query.is_empty or filters.active}
        if query.is_empty:
            if filters.active:
                articles = filters.apply(Article.objects.visible_to(self.request.user))
                listed = article_rows(self.request.user, pk__in=articles.values("pk"))
                page = Paginator(listed, PAGE_SIZE).get_page(self.request.GET.get("page"))
                context |= {"page_obj": page, "results": [(article, []) for article in page]}
            return context
        sort = form.cleaned_data["sort"] or "relevance"
        outcome = search_articles(query, user=self.request.user, filters=filters, sort=sort)
        page = Paginator(outcome.ranked, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context |= {"outcome": outcome, "page_obj": page, "results": self.results(page, query)}
        context["entities"] = entities_named(query, user=self.request.user) if page.number == 1 else []
        if not outcome.ranked:
            context["spelling"] = spelling_suggestion(query, user=self.request.user)
        return context

    def results(self, page, query) -> list:
        """The page's articles in rank order, each with a snippet of its text around the words found."""
        ids = [pk for pk, _ in page.object_list]
        articles = (
            Article.objects.filter(pk__in=ids)
            .select_related("outlet", "current_revision")
            .only(
                "slug",
                "headline",
                "status",
                "published_on",
                "published_on_precision",
                "outlet__name",
                "current_revision__blocks",
            )
            .in_bulk()
        )
        rows = []
        for pk in ids:
            article = articles.get(pk)
            if article is None:  # deleted since it was ranked
                continue
            revision = article.current_revision
            body = " ".join(b.text for _, b in revision.reader_blocks() if b.kind != "headline") if revision else ""
            rows.append((article, snippet(body, query)))
        return rows
