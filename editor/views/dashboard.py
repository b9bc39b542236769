from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.views.generic import FormView, ListView

from annotations.models import EntitySuggestion
from archive.models import Article
from archive.services import ImportFile, ImportResult, articles_import
from editor.forms import ArticleFilterForm, UploadForm
from editor.views.access import EditorRequiredMixin
from editor.views.review import review_queue


def pending_suggestions():
    rows = EntitySuggestion.objects.filter(article=OuterRef("pk"), state=EntitySuggestion.State.PENDING)
    counted = rows.order_by().values("article").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class DashboardView(EditorRequiredMixin, ListView):
    """Every article with what waits on it: open notes, proposed corrections, suggestions and orphans."""

    template_name = "editor/dashboard.html"
    context_object_name = "articles"
    paginate_by = 25

    def get_queryset(self):
        self.filters = ArticleFilterForm(self.request.GET or None)
        visible = ~Q(annotations__visibility="private") | Q(annotations__creator=self.request.user)
        articles = Article.objects.annotate(
            open_notes=Count("annotations", filter=visible & Q(annotations__status="open", annotations__parent=None)),
            proposed=Count("annotations", filter=Q(annotations__correction__state="proposed")),
            orphans=Count("annotations", filter=visible & Q(annotations__anchor_state="orphaned")),
            suggestions=pending_suggestions(),
        ).order_by("-updated_at")
        if self.filters.is_valid():
            if query := self.filters.cleaned_data["q"]:
                articles = articles.filter(headline__icontains=query)
            if status := self.filters.cleaned_data["status"]:
                articles = articles.filter(status=status)
        return articles

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filters=self.filters, upload_form=UploadForm(), queue=review_queue(self.request.GET), **kwargs
        )


class UploadView(EditorRequiredMixin, FormView):
    """Import uploaded files through the importer service; one message per file."""

    permission_required = "archive.add_article"
    form_class = UploadForm
    template_name = "editor/upload.html"

    def form_valid(self, form):
        publish = form.cleaned_data["publish"] and self.request.user.has_perm("archive.publish_article")
        files = [ImportFile(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
        for result in articles_import(files, imported_by=self.request.user, publish=publish):
            level = messages.ERROR if result.status == ImportResult.FAILED else messages.SUCCESS
            messages.add_message(self.request, level, str(result))
        return redirect("editor:dashboard")
