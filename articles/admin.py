"""The editors' admin: articles with filters, search and actions, and the upload page."""

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles import services
from articles.ingest import SUPPORTED_EXTENSIONS
from articles.models import Article, Section, Source
from entities import services as entity_services


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for a field taking several files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)  # an empty file is reported as refused, not dropped
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="Wire copy: " + ", ".join(sorted(SUPPORTED_EXTENSIONS)) + ". Select several files at once.",
        error_messages={"required": "Choose at least one file to upload."},
    )
    publish = forms.BooleanField(
        required=False, label="Publish", help_text="Publish the imported stories now (otherwise they stay drafts)."
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise ValidationError("Choose at least one file to upload.")
        return files


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status", "published_at", "language", "source", "section", "tagging"]
    list_filter = [
        "status",
        "tagging_status",
        "language",
        "source",
        "section",
        ("published_at", admin.DateFieldListFilter),
    ]
    search_fields = ["headline"]  # full-text search over the whole article: get_search_results
    date_hierarchy = "published_at"
    list_select_related = ["source", "section"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the whole archive on every page
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section", "source"]
    readonly_fields = ["tagging_status", "tagging_error", "tagged_at", "content_hash", "created_at", "updated_at"]
    actions = ["publish", "unpublish", "retag"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body"]}),
        ("Credits", {"fields": ["byline", "dateline", "source", "section", "language"]}),
        ("Photo", {"fields": ["photo_caption", "photo_credit"]}),
        ("Publication", {"fields": ["status", "published_at", "external_id", "version"]}),
        (
            "Tagging",
            {"fields": ["tagging_status", "tagging_error", "tagged_at", "content_hash", "created_at", "updated_at"]},
        ),
    ]
    change_list_template = "admin/articles/article/change_list.html"

    @admin.display(description="Tagging", ordering="tagging_status")
    def tagging(self, obj: Article) -> str:
        if obj.tagging_status == Article.TaggingStatus.FAILED:
            return format_html('<span title="{}">failed</span>', obj.tagging_error)
        return obj.get_tagging_status_display().lower()

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        # Full text (headline, standfirst, body, caption) in both languages' stemming.
        query = SearchQuery(search_term, config="newsroom_fr", search_type="websearch") | SearchQuery(
            search_term, config="newsroom_en", search_type="websearch"
        )
        return queryset.filter(search_vector=query), False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        entity_services.request_tagging(obj)  # after the commit; the sweep covers a broker outage
        if change and {"status", "published_at"} & set(form.changed_data):
            entity_services.refresh_counts_for_articles([obj.id])

    @admin.action(description="Re-tag selected articles (find their entities again)")
    def retag(self, request, queryset):
        count = entity_services.retag_articles(queryset.values_list("id", flat=True))
        self.message_user(request, f"{count} article(s) queued for tagging.", messages.SUCCESS)

    @admin.action(description="Publish selected articles")
    def publish(self, request, queryset):
        count = services.publish_articles(article_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)")
    def unpublish(self, request, queryset):
        count = services.unpublish_articles(article_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} article(s) unpublished.", messages.SUCCESS)

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="articles_article_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        results = None
        if request.method == "POST" and form.is_valid():
            results = []
            for uploaded in form.cleaned_data["files"]:
                data = uploaded.read()
                results.extend(
                    services.import_file(name=uploaded.name, data=data, publish=form.cleaned_data["publish"])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload wire copy",
            "form": form,
            "results": results,
            "summary": _summarise(results) if results is not None else None,
            "changelist_url": reverse("admin:articles_article_changelist"),
        }
        status = 400 if request.method == "POST" and not form.is_valid() else 200
        return TemplateResponse(request, "admin/articles/article/upload.html", context, status=status)


def _summarise(results: list[services.DocumentOutcome]) -> dict[str, int]:
    summary = {outcome.value: 0 for outcome in services.Outcome}
    for result in results:
        summary[result.outcome.value] += 1
    return summary
