from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from annotations.anchoring import Selectors
from annotations.models import Annotation
from annotations.services.annotating import (
    AnnotationConflict,
    AnnotationError,
    Body,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from editor.forms import NoteForm, ReplyForm
from editor.rendering import editor_blocks
from editor.views.access import ArticleMixin


def workspace_url(article, fragment: str = "") -> str:
    url = reverse("editor:workspace", kwargs={"slug": article.slug})
    return f"{url}#{fragment}" if fragment else url


def workspace_annotations(article, user) -> list[Annotation]:
    """The article's top-level annotations this user may see, in text order, with what the panel shows."""
    replies = Annotation.objects.visible_to(user).select_related("creator").order_by("created_at")
    return list(
        Annotation.objects.visible_to(user)
        .filter(article=article, parent=None)
        .select_related("creator", "entity", "correction")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .in_text_order()
    )


class WorkspaceView(ArticleMixin, TemplateView):
    """The article's current text with every annotation, the side panel, and the forms that act on them."""

    template_name = "editor/workspace.html"

    def get_context_data(self, **kwargs):
        annotations = workspace_annotations(self.article, self.request.user)
        revision = self.article.current_revision
        return super().get_context_data(
            article=self.article,
            revision=revision,
            blocks=editor_blocks(revision, annotations),
            annotations=[a for a in annotations if not a.is_orphaned],
            orphans=[a for a in annotations if a.is_orphaned],
            note_form=kwargs.pop("note_form", None) or NoteForm(initial={"revision": revision.number}),
            reply_form=ReplyForm(),
            **kwargs,
        )


class NoteCreateView(WorkspaceView):
    """Add a comment, question or highlight on a passage (the form works without JavaScript)."""

    http_method_names = ["post"]

    def refuse(self, form):
        return self.render_to_response(self.get_context_data(note_form=form), status=400)

    def post(self, request, slug):
        form = NoteForm(request.POST)
        revision = self.article.current_revision
        if not form.is_valid():
            return self.refuse(form)
        if form.cleaned_data.get("revision") not in (None, revision.number):
            messages.error(
                request,
                "The text changed while you were working (it is now at revision "
                f"{revision.number}). Nothing was saved: check the passage below and add your note again.",
            )
            return redirect("editor:workspace", slug=slug)
        span = form.span_in(revision.text)
        if span is None:
            form.add_error("quote", "These words are not in the current text (check spelling and spaces).")
            return self.refuse(form)
        try:
            annotation = annotation_create(
                article=self.article,
                creator=request.user,
                motivation=form.cleaned_data["motivation"],
                selectors=Selectors(exact=revision.text[span[0] : span[1]], start=span[0], end=span[1]),
                body=Body(form.cleaned_data["body"]),
                visibility=form.cleaned_data["visibility"],
            )
        except AnnotationError as exc:
            form.add_error(None, str(exc))
            return self.refuse(form)
        messages.success(request, f"{annotation.get_motivation_display()} added.")
        return redirect(workspace_url(self.article, f"annotation-{annotation.pk}"))


class AnnotationActionView(ArticleMixin, View):
    """Reply to, resolve, reopen or delete an annotation; stale versions are refused as conflicts."""

    def post(self, request, slug, pk):
        annotation = get_object_or_404(Annotation.objects.visible_to(request.user), article=self.article, pk=pk)
        action = request.POST.get("action")
        try:
            self.perform(action, annotation)
        except AnnotationConflict:
            messages.error(
                request,
                "Someone changed this annotation since you loaded the page. "
                "Nothing was saved; here is the current state.",
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except AnnotationError as exc:
            messages.error(request, str(exc))
        return redirect(workspace_url(self.article, "" if action == "delete" else f"annotation-{annotation.pk}"))

    def perform(self, action, annotation):
        user, version = self.request.user, self.posted_version()
        if action == "reply":
            form = ReplyForm(self.request.POST)
            if not form.is_valid():
                raise AnnotationError("A reply needs some text.")
            annotation_create(
                article=self.article,
                creator=user,
                motivation="replying",
                parent=annotation,
                body=Body(form.cleaned_data["body"]),
                visibility=annotation.visibility,
            )
            messages.success(self.request, "Reply added.")
        elif action in ("resolve", "reopen"):
            status = Annotation.Status.RESOLVED if action == "resolve" else Annotation.Status.OPEN
            annotation_update(annotation=annotation, user=user, expected_version=version, status=status)
            messages.success(self.request, f"Marked {status}.")
        elif action == "delete":
            annotation_delete(annotation=annotation, user=user, expected_version=version)
            messages.success(self.request, "Annotation deleted.")
        else:
            raise AnnotationError(f"Unknown action {action!r}.")

    def posted_version(self) -> int:
        try:
            return int(self.request.POST.get("version", ""))
        except ValueError as exc:
            raise AnnotationError("The form is missing the annotation's version; reload the page.") from exc
