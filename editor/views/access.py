from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404

from archive.models import Article


class EditorRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed-in members of the Editor or Reviewer group; others are sent to sign in (or get 403)."""

    permission_required = "annotations.add_annotation"

    def handle_no_permission(self):
        self.raise_exception = self.request.user.is_authenticated
        return super().handle_no_permission()


class ArticleMixin(EditorRequiredMixin):
    """Fetches the article named in the URL through the permission-aware queryset."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not self.has_permission():
            return self.handle_no_permission()
        self.article = get_object_or_404(
            Article.objects.visible_to(request.user).select_related("current_revision"), slug=kwargs["slug"]
        )
        return super().dispatch(request, *args, **kwargs)
