from django.contrib import admin, messages

from archive.models import Article, Original, Outlet, Revision
from archive.services import article_edit, article_publish, article_unpublish


class ReadOnlyInline(admin.TabularInline):
    """Inline rows that can be looked at, never added, changed or deleted."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OriginalInline(ReadOnlyInline):
    model = Original
    fields = ["filename", "encoding", "size", "sha256", "imported_at", "imported_by"]
    readonly_fields = fields


class RevisionInline(ReadOnlyInline):
    model = Revision
    fk_name = "article"
    fields = ["number", "message", "author", "created_at"]
    readonly_fields = fields


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage"]
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status", "outlet", "language", "original_language", "published_at", "updated_at"]
    list_filter = ["status", "outlet", "language", "original_language"]
    search_fields = ["headline", "slug", "source_url"]
    autocomplete_fields = ["outlet"]
    # Status changes go through the publish/unpublish actions (services), never the form.
    readonly_fields = ["status", "current_revision", "published_at", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["headline"]}
    date_hierarchy = "created_at"
    inlines = [OriginalInline, RevisionInline]
    actions = ["publish", "unpublish"]
    list_select_related = ["outlet"]

    def save_model(self, request, obj, form, change):
        # Audited; pages, list and search document follow the headline, slug, outlet or date.
        article_edit(article=obj, fields=form.changed_data, actor=request.user)

    def has_publish_permission(self, request):
        return request.user.has_perm("archive.publish_article")

    @admin.action(description="Publish the selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        for article in queryset:
            article_publish(article=article, actor=request.user)
        self.message_user(request, f"Published {queryset.count()} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish the selected articles (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        for article in queryset:
            article_unpublish(article=article, actor=request.user)
        self.message_user(request, f"Unpublished {queryset.count()} article(s).", messages.SUCCESS)


class ImmutableAdmin(admin.ModelAdmin):
    """Records kept forever: viewable in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Original)
class OriginalAdmin(ImmutableAdmin):
    list_display = ["filename", "article", "encoding", "size", "sha256", "imported_at", "imported_by"]
    list_filter = ["encoding", "imported_at"]
    search_fields = ["filename", "sha256", "article__headline"]
    exclude = ["content"]
    readonly_fields = [
        "article",
        "filename",
        "encoding",
        "size",
        "sha256",
        "imported_at",
        "imported_by",
        "import_notes",
        "text",
    ]
    list_select_related = ["article", "imported_by"]

    @admin.display(description="Text as imported")
    def text(self, obj):
        return obj.text


@admin.register(Revision)
class RevisionAdmin(ImmutableAdmin):
    list_display = ["article", "number", "message", "author", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["article__headline", "message"]
    readonly_fields = ["article", "number", "parent", "message", "author", "created_at", "text"]
    exclude = ["blocks"]
    list_select_related = ["article", "author"]
