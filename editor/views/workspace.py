from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from annotations.models import Annotation
from annotations.services.annotating import (
    AnnotationConflict,
    AnnotationError,
    Body,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from editor.forms import CorrectionForm, EntityTagForm, LinkForm, NoteForm, ReplyForm
from editor.rendering import editor_blocks, is_applied
from editor.views.access import ArticleMixin

#: The panel's passage forms: context name → (form class, prefix, permission needed to see it).
PASSAGE_FORMS = {
    "note_form": (NoteForm, None, "annotations.add_annotation"),
    "correction_form": (CorrectionForm, "correction", "annotations.add_correction"),
    "entity_form": (EntityTagForm, "entity", "annotations.add_taggedentity"),
    "link_form": (LinkForm, "link", "annotations.add_articlelink"),
}


def workspace_url(article, fragment: str = "") -> str:
    url = reverse("editor:workspace", kwargs={"slug": article.slug})
    return f"{url}#{fragment}" if fragment else url


def workspace_annotations(article, user) -> list[Annotation]:
    """The article's top-level annotations this user may see, in text order, with what the panel shows."""
    replies = Annotation.objects.visible_to(user).select_related("creator").order_by("created_at")
    return list(
        Annotation.objects.visible_to(user)
        .filter(article=article, parent=None)
        .select_related("creator", "entity", "correction", "article_link__target", "external_link")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .in_text_order()
    )


def is_lost(annotation: Annotation) -> bool:
    """Orphans wait for an editor; an accepted removal is orphaned by design (its words were the fix)."""
    return annotation.is_orphaned and not is_applied(annotation)


class WorkspaceView(ArticleMixin, TemplateView):
    """The article's current text with every annotation, the side panel, and the forms that act on them."""

    template_name = "editor/workspace.html"

    def get_context_data(self, **kwargs):
        annotations = workspace_annotations(self.article, self.request.user)
        revision = self.article.current_revision
        for name, (form_class, prefix, permission) in PASSAGE_FORMS.items():
            if name not in kwargs and self.request.user.has_perm(permission):
                kwargs[name] = form_class(prefix=prefix, initial={"revision": revision.number})
        return super().get_context_data(
            article=self.article,
            revision=revision,
            blocks=editor_blocks(revision, annotations),
            annotations=[a for a in annotations if not is_lost(a)],
            orphans=[a for a in annotations if is_lost(a)],
            reply_form=ReplyForm(),
            api=self.protocol_urls(),
            **kwargs,
        )

    def protocol_urls(self) -> dict[str, str]:
        """Where the workspace script sends annotations (the W3C protocol container) and what they target."""
        return {
            "container": reverse("annotations:container", kwargs={"slug": self.article.slug}),
            "source": self.request.build_absolute_uri(self.article.get_absolute_url()),
        }


class PassageFormView(WorkspaceView):
    """POST one of the panel's passage forms; invalid input shows the workspace again with the form's errors."""

    http_method_names = ["post"]
    context_name = "note_form"

    def post(self, request, slug):
        form_class, prefix, permission = PASSAGE_FORMS[self.context_name]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        form = form_class(request.POST, prefix=prefix)
        if not form.is_valid():
            return self.refuse(form)
        return self.form_valid(form)

    def refuse_passage(self, form):
        return self.refuse(form, "These words are not in the current text (check spelling and spaces).", "quote")

    def refuse(self, form, message: str = "", field: str | None = None):
        if message:
            form.add_error(field, message)
        context = self.get_context_data(open_form=self.context_name.removesuffix("_form"), **{self.context_name: form})
        return self.render_to_response(context, status=400)

    def seen_revision(self, form):
        """The revision the editor was looking at (the current one when the form does not say)."""
        number = form.cleaned_data.get("revision")
        current = self.article.current_revision
        if number in (None, current.number):
            return current
        return self.article.revisions.filter(number=number).first() or current

    def form_valid(self, form):
        raise NotImplementedError


class NoteCreateView(PassageFormView):
    """Add a comment, question or highlight on a passage (the form works without JavaScript)."""

    def form_valid(self, form):
        revision = self.article.current_revision
        if form.cleaned_data.get("revision") not in (None, revision.number):
            messages.error(
                self.request,
                "The text changed while you were working (it is now at revision "
                f"{revision.number}). Nothing was saved: check the passage below and add your note again.",
            )
            return redirect("editor:workspace", slug=self.article.slug)
        selectors = form.selectors_in(revision.text)
        if selectors is None:
            return self.refuse_passage(form)
        try:
            annotation = annotation_create(
                article=self.article,
                creator=self.request.user,
                motivation=form.cleaned_data["motivation"],
                selectors=selectors,
                body=Body(form.cleaned_data["body"]),
                visibility=form.cleaned_data["visibility"],
            )
        except AnnotationError as exc:
            return self.refuse(form, str(exc))
        messages.success(self.request, f"{annotation.get_motivation_display()} added.")
        return redirect(workspace_url(self.article, f"annotation-{annotation.pk}"))


class AnnotationActionView(ArticleMixin, View):
    """Reply to, edit, resolve, reopen or delete an annotation; stale versions are refused as conflicts."""

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
        elif action == "edit":
            body = Body(self.request.POST.get("body", ""))
            annotation_update(annotation=annotation, user=user, expected_version=version, body=body)
            messages.success(self.request, "Saved.")
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
