from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse

from annotations.models import (
    Annotation,
    ArticleLink,
    Correction,
    Entity,
    EntitySuggestion,
    ExternalLink,
    GlossaryEntry,
    TaggedEntity,
)
from annotations.services.annotating import AnnotationConflict, Body, annotation_delete, annotation_update
from annotations.services.corrections import REVIEW_PERMISSION, CorrectionError, correction_reject, corrections_accept
from annotations.services.entities import (
    EDITABLE_FIELDS,
    EntityError,
    entity_merge,
    entity_tag_add,
    entity_tag_remove,
    entity_update,
)
from annotations.services.entity_suggestions import suggestion_confirm, suggestion_dismiss
from annotations.services.glossary import glossary_remember
from annotations.services.links import (
    ExternalCoverage,
    LinkError,
    article_link_check,
    article_link_create,
    article_link_delete,
    check_external_url,
    external_link_create,
    external_link_delete,
)
from annotations.services.mention_tags import public_mentions
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


# --------------------------------------------------------------------------- entities and related coverage
# Writes go through annotations.services.entities / entity_suggestions / links, as in the editor UI.


class EntityForm(forms.ModelForm):
    aliases = LinesField(required=False, help_text="Other spellings, one per line (misspellings too).")

    class Meta:
        model = Entity
        fields = ["name", "slug", "kind", "aliases", "wikidata_id", "description"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityForm
    list_display = ["name", "kind", "alias_list", "wikidata_id", "merged_into"]
    list_filter = ["kind", ("merged_into", admin.EmptyFieldListFilter)]
    search_fields = ["name", "aliases", "description"]  # aliases: a text search of the JSON list
    readonly_fields = ["merged_into"]
    list_select_related = ["merged_into"]
    actions = ["merge_selected"]

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)

    def get_readonly_fields(self, request, obj=None):
        return ["merged_into", "slug"] if obj else ["merged_into"]  # the slug is the page's address

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)  # a new entity tags no article yet
            return
        fields = {f: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE_FIELDS}
        try:
            entity_update(entity=obj, user=request.user, **fields)
        except (EntityError, PermissionDenied) as exc:
            self.message_user(request, f"Not saved: {exc}", messages.ERROR)

    @admin.action(description="Merge the selected entities into one of them…", permissions=["change"])
    def merge_selected(self, request, queryset):
        entities = list(queryset.filter(merged_into__isnull=True).order_by("name"))
        if len(entities) < 2:
            self.message_user(request, "Select at least two entities that are not merged yet.", messages.WARNING)
            return None
        target = next((e for e in entities if str(e.pk) == request.POST.get("target")), None)
        if target is None:
            context = {
                **self.admin_site.each_context(request),
                "title": "Merge entities",
                "opts": self.model._meta,
                "entities": entities,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/annotations/entity/merge.html", context)
        for source in entities:
            if source == target:
                continue
            try:
                entity_merge(source=source, target=target, user=request.user)
            except (EntityError, PermissionDenied) as exc:
                self.message_user(request, f"{source}: not merged — {exc}", messages.ERROR)
                continue
            self.message_user(request, f"Merged {source} into {target}; its page now redirects.", messages.SUCCESS)
        return None


@admin.register(EntitySuggestion)
class EntitySuggestionAdmin(admin.ModelAdmin):
    """Suggestions are confirmed or dismissed here through the services, never edited."""

    list_display = ["found", "suggests", "article", "score", "state"]
    list_filter = ["state", "proposed_kind", "entity__kind"]
    search_fields = ["found", "proposed_name", "entity__name", "article__headline"]
    list_select_related = ["entity", "article"]
    actions = ["confirm_selected", "dismiss_selected"]
    readonly_fields = ["article", "entity", "proposed_name", "proposed_kind", "found", "start", "end", "score", "state"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("annotations.change_entitysuggestion")

    @admin.display(description="suggests")
    def suggests(self, obj):
        return obj.entity or f"new: {obj.proposed_name} ({obj.get_proposed_kind_display() or 'other'})"

    @admin.action(description="Confirm the selected suggestions (mentions and tags)", permissions=["decide"])
    def confirm_selected(self, request, queryset):
        self._decide(request, queryset, suggestion_confirm, "Confirmed")

    @admin.action(description="Dismiss the selected suggestions (never offered again)", permissions=["decide"])
    def dismiss_selected(self, request, queryset):
        self._decide(request, queryset, suggestion_dismiss, "Dismissed")

    def _decide(self, request, queryset, service, verb: str) -> None:
        done = 0
        for suggestion in queryset.order_by("pk"):
            try:
                service(suggestion=suggestion, user=request.user)
            except (EntityError, PermissionDenied) as exc:
                self.message_user(request, f"{suggestion}: {exc}", messages.WARNING)
                continue
            done += 1
        self.message_user(request, f"{verb} {done} suggestion(s).", messages.SUCCESS)


class ServiceInlineFormSet(forms.BaseInlineFormSet):
    """Adds and deletes through a service (`create`, `delete`) with the admin's user; `check` validates new rows."""

    request = None

    def clean(self):
        super().clean()
        for form in self.extra_forms:
            if form.has_changed() and not self._should_delete_form(form) and form.is_valid():
                try:
                    self.check(form)
                except (LinkError, EntityError) as exc:
                    form.add_error(None, str(exc))

    def delete_existing(self, obj, commit=True):
        if commit:
            self.delete(obj)


class ArticleLinkFormSet(ServiceInlineFormSet):
    def check(self, form):
        article_link_check(source=self.instance, target=form.cleaned_data["target"], kind=form.cleaned_data["kind"])

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        return article_link_create(
            source=self.instance, target=data["target"], kind=data["kind"], note=data["note"], user=self.request.user
        )

    def delete(self, obj):
        article_link_delete(link=obj, user=self.request.user)


class ExternalLinkFormSet(ServiceInlineFormSet):
    def check(self, form):
        check_external_url(form.cleaned_data["url"])

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        coverage = ExternalCoverage(
            data["url"], data["title"], data["outlet"], data["language"], data["published_on"], data["note"]
        )
        return external_link_create(article=self.instance, user=self.request.user, coverage=coverage)

    def delete(self, obj):
        external_link_delete(link=obj, user=self.request.user)


class TaggedEntityFormSet(ServiceInlineFormSet):
    def check(self, form):
        pass  # a tag is always allowed; entity_tag_add follows merges

    def save_new(self, form, commit=True):
        return entity_tag_add(article=self.instance, entity=form.cleaned_data["tag"], user=self.request.user)

    def delete(self, obj):
        entity_tag_remove(article=self.instance, entity=obj.tag, user=self.request.user)

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if self._should_delete_form(form) and form.instance.by_mention is False:
                mentions = public_mentions(self.instance.pk, [form.instance.tag_id]).count()
                if mentions:
                    form.add_error(
                        None, f"{mentions} public passage(s) still mention {form.instance.tag}; remove them first."
                    )
            elif self._should_delete_form(form):
                form.add_error(None, "This tag follows the article's mentions; remove the mentions instead.")


class ServiceInline(admin.TabularInline):
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset


class ArticleLinkInline(ServiceInline):
    """Typed links from this article; the other side shows them under the reverse label."""

    model = ArticleLink
    fk_name = "source"
    formset = ArticleLinkFormSet
    fields = ["target", "kind", "note"]
    autocomplete_fields = ["target"]
    verbose_name = "link to another article"
    verbose_name_plural = "links to other articles"


class IncomingLinkInline(admin.TabularInline):
    """Typed links to this article, read-only here (they belong to the other article)."""

    model = ArticleLink
    fk_name = "target"
    fields = ["source", "kind", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "link from another article"
    verbose_name_plural = "links from other articles"

    def has_add_permission(self, request, obj=None):
        return False


class ExternalLinkInline(ServiceInline):
    model = ExternalLink
    formset = ExternalLinkFormSet
    fields = ["url", "title", "outlet", "language", "published_on", "note"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class TaggedEntityInline(ServiceInline):
    """The article's entities, chosen with autocomplete; tags that follow mentions are marked."""

    model = TaggedEntity
    fk_name = "content_object"
    formset = TaggedEntityFormSet
    fields = ["tag", "by_mention"]
    readonly_fields = ["by_mention"]
    autocomplete_fields = ["tag"]
    verbose_name = "entity"
    verbose_name_plural = "entities (people, organisations, places)"


@admin.register(ArticleLink)
class ArticleLinkAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["source__headline", "target__headline", "note"]
    autocomplete_fields = ["source", "target"]
    list_select_related = ["source", "target", "created_by"]
    readonly_fields = ["annotation", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # added on the article (inline) or in the editor, through the service


@admin.register(ExternalLink)
class ExternalLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "language", "published_on", "article"]
    list_filter = ["language"]
    search_fields = ["title", "outlet", "url", "note"]
    list_select_related = ["article"]
    readonly_fields = ["article", "url", "annotation", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # added on the article (inline) or in the editor, through the service


# The entities are edited in their inline (autocomplete, mention-aware) rather than as free text.
article_admin.inlines = [
    *article_admin.inlines,
    TaggedEntityInline,
    ArticleLinkInline,
    IncomingLinkInline,
    ExternalLinkInline,
]
article_admin.exclude = [*(article_admin.exclude or ()), "entities"]
