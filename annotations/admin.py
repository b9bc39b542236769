from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from annotations.models import Annotation, Correction, GlossaryEntry
from annotations.services.annotating import AnnotationConflict, Body, annotation_delete, annotation_update
from annotations.services.corrections import REVIEW_PERMISSION, CorrectionError, correction_reject, corrections_accept
from annotations.services.glossary import glossary_remember
from archive.admin import ArticleAdmin  # registers the Article admin that the annotation inline joins
from archive.models import Article
from archive.services import RevisionConflict

# --------------------------------------------------------------------------- corrections


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """Corrections are reviewed here through the services; their content is changed only by them."""

    list_display = ["pk", "quote", "replacement", "article", "category", "severity", "state", "source", "proposer"]
    list_display_links = ["pk", "quote"]
    list_filter = ["state", "category", "severity", "source", ("annotation__article", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["annotation__exact", "replacement", "reason", "annotation__article__headline"]
    list_select_related = ["annotation__article", "annotation__creator"]
    actions = ["accept_selected", "accept_own_selected", "reject_selected", "remember_selected"]
    readonly_fields = [
        "article",
        "quote",
        "replacement",
        "reason",
        "category",
        "severity",
        "state",
        "source",
        "glossary_entry",
        "proposer",
        "original_text",
        "reviewed_by",
        "reviewed_at",
        "reviewer_note",
        "applied_in",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # proposing happens on the article, where the span is chosen

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a review is part of the record

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.display(description="text", ordering="annotation__exact")
    def quote(self, obj):
        return obj.annotation.exact or "(removed)"

    @admin.display(description="article", ordering="annotation__article__headline")
    def article(self, obj):
        return obj.annotation.article

    @admin.display(description="proposed by")
    def proposer(self, obj):
        return obj.annotation.creator

    @admin.action(description="Accept the selected corrections (one revision per article)", permissions=["review"])
    def accept_selected(self, request, queryset):
        self._accept(request, queryset, self_review=False)

    @admin.action(description="Accept the selected corrections, including my own (self-review)", permissions=["review"])
    def accept_own_selected(self, request, queryset):
        self._accept(request, queryset, self_review=True)

    def _accept(self, request, queryset, *, self_review: bool) -> None:
        by_article = defaultdict(list)
        for correction in queryset.select_related("annotation__article"):
            by_article[correction.annotation.article].append(correction)
        for article, corrections in by_article.items():
            try:
                outcome = corrections_accept(corrections=corrections, reviewer=request.user, self_review=self_review)
            except (CorrectionError, PermissionDenied, RevisionConflict) as exc:
                self.message_user(request, f"{article}: nothing accepted — {exc}", messages.ERROR)
                continue
            note = f"Accepted {len(outcome.accepted)} corrections on “{article}” as revision {outcome.revision.number}."
            if outcome.needs_rebase:
                note += f" {len(outcome.needs_rebase)} other proposals on the same words now need a rebase."
            self.message_user(request, note, messages.SUCCESS)

    @admin.action(description="Reject the selected corrections", permissions=["review"])
    def reject_selected(self, request, queryset):
        rejected = 0
        for correction in queryset:
            try:
                correction_reject(correction=correction, reviewer=request.user)
            except CorrectionError as exc:
                self.message_user(request, str(exc), messages.WARNING)
                continue
            rejected += 1
        self.message_user(request, f"Rejected {rejected} corrections.", messages.SUCCESS)

    @admin.action(description="Remember the selected accepted fixes in the glossary", permissions=["review"])
    def remember_selected(self, request, queryset):
        for correction in queryset:
            try:
                entry = glossary_remember(correction=correction, user=request.user)
            except (CorrectionError, PermissionDenied) as exc:
                self.message_user(request, f"Correction {correction.pk}: {exc}", messages.WARNING)
                continue
            self.message_user(request, f"Remembered: {entry}", messages.SUCCESS)


# --------------------------------------------------------------------------- glossary


class LinesField(forms.CharField):
    """A list of strings edited as one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return list(dict.fromkeys(line.strip() for line in (value or "").splitlines() if line.strip()))

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError("Give at least one wrong form.", code="required")


class GlossaryEntryForm(forms.ModelForm):
    wrong_forms = LinesField(help_text="The forms to catch, one per line, e.g. Belchett.")

    class Meta:
        model = GlossaryEntry
        fields = ["preferred", "wrong_forms", "category", "note", "case_sensitive", "whole_word"]

    def clean(self):
        cleaned = super().clean()
        preferred = (cleaned.get("preferred") or "").strip()
        if preferred and preferred in cleaned.get("wrong_forms", []):
            self.add_error("wrong_forms", "The preferred form cannot also be a wrong form.")
        return cleaned


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(admin.ModelAdmin):
    form = GlossaryEntryForm
    list_display = ["preferred", "wrong_forms_list", "category", "case_sensitive", "whole_word", "updated_at"]
    list_filter = ["category", "case_sensitive", "whole_word"]
    search_fields = ["preferred", "wrong_forms", "note"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    @admin.display(description="wrong forms")
    def wrong_forms_list(self, obj):
        return ", ".join(obj.wrong_forms)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- annotations


class AnchoringFilter(admin.SimpleListFilter):
    """Anchoring state, plus "needs attention" (needs review or orphaned): the orphans are never lost from view."""

    title = "anchoring"
    parameter_name = "anchor_state"
    ATTENTION = "attention"

    def lookups(self, request, model_admin):
        return [*Annotation.Anchoring.choices, (self.ATTENTION, "Needs attention (review or orphaned)")]

    def queryset(self, request, queryset):
        if self.value() == self.ATTENTION:
            return queryset.filter(anchor_state__in=[Annotation.Anchoring.NEEDS_REVIEW, Annotation.Anchoring.ORPHANED])
        if self.value() in Annotation.Anchoring.values:
            return queryset.filter(anchor_state=self.value())
        return queryset


class AnnotationAdminForm(forms.ModelForm):
    """Only the body, visibility and status change here; the version read with the form guards the save."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Annotation
        fields = ["body_value", "body_format", "body_language", "visibility", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("expected_version") != self.instance.version:
            raise forms.ValidationError("Someone changed this annotation since you opened it; reload and try again.")
        return cleaned


def annotation_quote(annotation: Annotation) -> str:
    if annotation.is_reply:
        return f"reply to #{annotation.parent_id}"
    return annotation.exact if len(annotation.exact) <= 60 else annotation.exact[:59] + "…"


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    """Annotations are listed, searched and edited here; writes go through the annotating services."""

    form = AnnotationAdminForm
    list_display = [
        "pk",
        "quote",
        "motivation",
        "article",
        "creator",
        "visibility",
        "status",
        "anchor_state",
        "modified_at",
    ]
    list_display_links = ["pk", "quote"]
    list_filter = ["motivation", "visibility", "status", AnchoringFilter]
    search_fields = ["exact", "body_value"]
    list_select_related = ["article", "creator"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "article",
        "revision",
        "parent",
        "motivation",
        "entity",
        "creator",
        "exact",
        "prefix",
        "suffix",
        "start",
        "end",
        "anchor_state",
        "anchor_strategy",
        "anchor_score",
        "canonical",
        "version",
        "created_at",
        "modified_at",
    ]
    fieldsets = [
        (None, {"fields": ["article", "revision", "parent", "motivation", "entity", "creator", "canonical"]}),
        (
            "Body",
            {"fields": ["body_value", "body_format", "body_language", "visibility", "status", "expected_version"]},
        ),
        ("Selectors (read-only)", {"fields": ["exact", "prefix", "suffix", "start", "end"]}),
        (
            "Anchoring",
            {"fields": ["anchor_state", "anchor_strategy", "anchor_score", "version", "created_at", "modified_at"]},
        ),
    ]

    def has_add_permission(self, request):
        return False  # annotations are made on the article's text, where the span is chosen

    @admin.display(description="quote", ordering="exact")
    def quote(self, obj):
        return annotation_quote(obj)

    def save_model(self, request, obj, form, change):
        body = Body(obj.body_value, obj.body_format, obj.body_language)
        try:
            annotation_update(
                annotation=obj,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
                body=body,
                visibility=obj.visibility,
                status=obj.status,
            )
        except AnnotationConflict as exc:
            self.message_user(request, f"Not saved: {exc}", messages.ERROR)

    def delete_model(self, request, obj):
        annotation_delete(annotation=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # Replies go with their parents: skip the ones already deleted that way.
        for annotation in queryset.order_by("pk"):
            if Annotation.objects.filter(pk=annotation.pk).exists():
                annotation_delete(annotation=annotation, user=request.user)


class AnnotationInline(admin.TabularInline):
    """The article's annotations, read-only, each linking to its own admin page."""

    model = Annotation
    fk_name = "article"
    fields = ["quote", "motivation", "creator", "visibility", "status", "anchor_state"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["start", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("creator")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="quote")
    def quote(self, obj):
        return annotation_quote(obj)


# archive must not import annotations, so the inline joins the registered Article admin from here.
article_admin: ArticleAdmin = admin.site.get_model_admin(Article)
article_admin.inlines = [*article_admin.inlines, AnnotationInline]
