"""The editors' admin: articles with filters, search and actions, and the upload page."""

import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles import revisions, selectors, services, tasks
from articles.ingest import SUPPORTED_EXTENSIONS
from articles.models import (
    SNAPSHOT_FIELDS,
    Article,
    ImportBatch,
    JobStatus,
    Section,
    Source,
    SpoolFile,
    validate_publication_time,
)
from articles.search import SearchError, parse_query
from entities import services as entity_services

logger = logging.getLogger(__name__)

# Uploads above these go to the background (a Celery task on the "ingest" queue) and the
# editor is sent to the batch page; smaller ones are imported while the page waits.
INLINE_MAX_FILES = 20
INLINE_MAX_BYTES = 5 * 1024 * 1024


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
        help_text=(
            "Wire text, NewsML-G2, NITF, JSON Lines or zip archives of them ("
            + ", ".join(sorted(SUPPORTED_EXTENSIONS))
            + "). Select several files at once; more than "
            + str(INLINE_MAX_FILES)
            + " files, or any zip, are imported in the background."
        ),
        error_messages={"required": "Choose at least one file to upload."},
    )
    publish = forms.BooleanField(
        required=False, label="Publish", help_text="Publish the imported stories now (otherwise they stay drafts)."
    )
    source = forms.ModelChoiceField(
        Source.objects.all(),
        required=False,
        label="Source",
        empty_label="(as the files say)",
        help_text="For files that name no source (plain wire text does not): the agency or desk it comes from.",
    )
    section = forms.ModelChoiceField(
        Section.objects.all(),
        required=False,
        label="Section",
        empty_label="(as the files say)",
        help_text="For files that name no section.",
    )
    published_at = forms.DateTimeField(
        required=False,
        label="Publication time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="For files that carry no date (in the site's time zone); otherwise publishing dates them now.",
        error_messages={"invalid": "Write the publication time as 2024-05-31 14:30."},
        validators=[validate_publication_time],
    )
    update_same_headline = forms.BooleanField(
        required=False,
        label="Update the story with the same headline",
        help_text=(
            "Plain wire text carries no story id: a text whose headline matches an existing story of the same "
            "source updates that story instead of becoming a new one. Leave unticked and two stories that "
            "share a headline are both kept."
        ),
    )

    def __init__(self, *args, may_publish: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]  # not offered; a POST that ticks it anyway is refused in clean()

    def clean(self):
        cleaned = super().clean()
        if "publish" not in self.fields:
            if self.data.get("publish"):
                raise ValidationError(
                    "You may not publish articles: upload without “Publish” to file drafts, "
                    "and an editor will publish them."
                )
            cleaned["publish"] = False
        return cleaned

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise ValidationError("Choose at least one file to upload.")
        return files


class ArticleAdminForm(forms.ModelForm):
    """The article's form, with what makes a change a public correction."""

    is_correction = forms.BooleanField(
        required=False,
        label="This change is a correction",
        help_text="Readers see the note below with the article, and partners in the API and the change feed.",
    )
    correction_note = forms.CharField(
        required=False,
        max_length=revisions.MAX_CORRECTION_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Public correction note",
        help_text="What was wrong and what is right now, as readers will read it.",
    )

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)

    def clean(self):
        data = super().clean()
        note = (data.get("correction_note") or "").strip()
        if not data.get("is_correction"):
            if note:
                self.add_error("is_correction", "Tick this to publish the note as a correction, or clear the note.")
            return data
        if self.instance.pk is None:
            self.add_error("is_correction", "A new article has nothing to correct yet.")
        elif not self._changes_content():
            self.add_error("is_correction", "A correction changes the text or its details: nothing was changed.")
        if not note:
            self.add_error("correction_note", "Write the note readers will see with the correction.")
        return data

    def _changes_content(self) -> bool:
        # Values, not changed_data: a JSON body posted back unchanged counts as changed there.
        # (clean() runs before the instance takes the form's values.)
        return any(
            name in self.cleaned_data and self.cleaned_data[name] != getattr(self.instance, name)
            for name in SNAPSHOT_FIELDS
        )


MAX_LISTED_REVISIONS = 500  # an article's history page; older ones stay reachable by number


class RevisionCompareForm(forms.Form):
    old = forms.IntegerField(min_value=1, max_value=2**31 - 1, error_messages={"required": "Choose two revisions."})
    new = forms.IntegerField(min_value=1, max_value=2**31 - 1, error_messages={"required": "Choose two revisions."})

    def clean(self):
        data = super().clean()
        if data.get("old") is not None and data.get("old") == data.get("new"):
            raise ValidationError("Choose two different revisions to compare.")
        return data


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """The list of imports; each links to its progress page."""

    list_display = ["__str__", "origin", "status", "created_by", "created_at", "finished_at", "progress"]
    list_filter = ["status", "origin"]
    date_hierarchy = "created_at"

    @admin.display(description="Outcomes")
    def progress(self, obj: ImportBatch) -> str:
        return format_html('<a href="{}">see outcomes</a>', reverse("admin:articles_article_import", args=[obj.id]))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SpoolFile)
class SpoolFileAdmin(admin.ModelAdmin):
    """The spool feed (INGEST_SPOOL_DIR): one page with what waits, what came in today, and
    the last failures with their reasons. Read-only: files come and go by the folder."""

    list_display = ["name", "state", "first_seen_at", "finished_at", "filed_as"]
    readonly_fields = [f.name for f in SpoolFile._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Spool folder",
            "overview": selectors.spool_overview(),
            "refresh_seconds": 15,
        }
        return TemplateResponse(request, "admin/articles/spoolfile/overview.html", context)


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


# Shown on an article's page, read-only: where its tagging stands and who did it.
TAGGING_FIELDS = [
    "tagging_status",
    "tagging_error",
    "tagged_at",
    "tagging_worker",
    "content_hash",
    "created_at",
    "updated_at",
]


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
    readonly_fields = ["created_by", *TAGGING_FIELDS]
    actions = ["publish", "unpublish", "retag"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body"]}),
        ("Credits", {"fields": ["byline", "dateline", "source", "section", "language"]}),
        ("Photo", {"fields": ["photo_caption", "photo_credit"]}),
        ("Publication", {"fields": ["status", "published_at", "external_id", "version", "created_by"]}),
        ("Tagging", {"fields": TAGGING_FIELDS}),
    ]
    change_list_template = "admin/articles/article/change_list.html"
    form = ArticleAdminForm
    correction_fieldset = (
        "Correction",
        {
            "fields": ["is_correction", "correction_note"],
            "description": "A change of the text or its details is stored as a revision; mark it as a "
            "correction when readers should be told what was wrong.",
        },
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [*fieldsets, self.correction_fieldset] if obj is not None else fieldsets

    @admin.display(description="Tagging", ordering="tagging_status")
    def tagging(self, obj: Article) -> str:
        if obj.tagging_status == JobStatus.FAILED:
            return format_html('<span title="{}">failed</span>', obj.tagging_error)
        return obj.get_tagging_status_display().lower()

    def get_search_results(self, request, queryset, search_term):
        # Full text (headline, standfirst, body, caption) read as the search engine reads it:
        # each article's own language and the unstemmed form, "phrases", prefix* and -excluded terms.
        try:
            query = parse_query(search_term)
        except SearchError as error:
            self.message_user(request, f"Search: {error.message}", messages.WARNING)
            return queryset.none(), False
        if query is None:
            return queryset, False
        return queryset.filter(query.condition()), False

    def has_publish_permission(self, request, obj=None) -> bool:
        """Publishing and unpublishing: its own permission, apart from "change"."""
        return request.user.has_perm(f"{self.opts.app_label}.publish_{self.opts.model_name}")

    def has_change_permission(self, request, obj=None) -> bool:
        # Changing a published story changes what readers see: that takes the publish right too.
        if obj is not None and obj.status == Article.Status.PUBLISHED and not self.has_publish_permission(request):
            return False
        if obj is not None and obj.created_by_id == request.user.id and self.has_add_permission(request):
            return True  # a reporter's own draft (the same rule as ImportRights for uploads)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a published story takes it from readers: an unpublishing.
        if obj is not None and obj.status == Article.Status.PUBLISHED and not self.has_publish_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if self.has_publish_permission(request):
            return self.readonly_fields
        return [*self.readonly_fields, "status"]  # a new story or a draft stays a draft

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and not self.has_publish_permission(request):
            raise PermissionDenied  # get_readonly_fields keeps it off the form; never reached by the page
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        # A change of text or metadata is a revision (in the change view's transaction).
        note = form.cleaned_data.get("correction_note", "") if form.cleaned_data.get("is_correction") else ""
        revisions.record_edit(article=obj, author=request.user, correction_note=note)
        entity_services.request_tagging(obj)  # after the commit; the sweep covers a broker outage
        if change and {"status", "published_at"} & set(form.changed_data):
            entity_services.refresh_counts_for_articles([obj.id])

    @admin.action(description="Re-tag selected articles (find their entities again)", permissions=["change"])
    def retag(self, request, queryset):
        count = entity_services.retag_articles(queryset.values_list("id", flat=True))
        self.message_user(request, f"{count} article(s) queued for tagging.", messages.SUCCESS)

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        count = services.publish_articles(article_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = services.unpublish_articles(article_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} article(s) unpublished.", messages.SUCCESS)

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="articles_article_upload")
        batch = path(
            "imports/<int:batch_id>/", self.admin_site.admin_view(self.batch_view), name="articles_article_import"
        )
        revision_urls = [
            path(
                "<int:article_id>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<int:article_id>/revisions/compare/",
                self.admin_site.admin_view(self.revision_compare_view),
                name="articles_article_revision_compare",
            ),
            path(
                "<int:article_id>/merge-into/<int:into_id>/",
                self.admin_site.admin_view(self.merge_into_view),
                name="articles_article_merge_into",
            ),
            path(
                "<int:article_id>/revisions/<int:number>/restore/",
                self.admin_site.admin_view(self.revision_restore_view),
                name="articles_article_revision_restore",
            ),
        ]
        return [upload, batch, *revision_urls, *super().get_urls()]

    # --- An article's history: its revisions, a diff between any two, restore ---------

    def _article_for(self, request, article_id: int, *, change: bool = False) -> Article:
        article = Article.objects.select_related("section", "source").filter(id=article_id).first()
        if article is None:
            raise Http404("No such article.")
        allowed = self.has_change_permission(request, article) if change else self.has_view_permission(request, article)
        if not allowed:
            raise PermissionDenied
        return article

    def _revision_context(self, request, article: Article, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "article": article,
            "changelist_url": reverse("admin:articles_article_changelist"),
            "change_url": reverse("admin:articles_article_change", args=[article.id]),
            "revisions_url": reverse("admin:articles_article_revisions", args=[article.id]),
            "compare_url": reverse("admin:articles_article_revision_compare", args=[article.id]),
            "may_restore": self.has_change_permission(request, article),
        }

    def revisions_view(self, request, article_id: int):
        article = self._article_for(request, article_id)
        rows = list(article.revisions.select_related("author", "batch").order_by("-number")[:MAX_LISTED_REVISIONS])
        context = self._revision_context(request, article, f"History of “{article.headline}”")
        context["revisions"] = rows
        context["listed_all"] = len(rows) < MAX_LISTED_REVISIONS or article.revision <= MAX_LISTED_REVISIONS
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def revision_compare_view(self, request, article_id: int):
        article = self._article_for(request, article_id)
        form = RevisionCompareForm(request.GET)
        if not form.is_valid():
            context = self._revision_context(request, article, "Compare revisions")
            context["form_errors"] = [e for errors in form.errors.values() for e in errors]
            return TemplateResponse(request, "admin/articles/article/revision_compare.html", context, status=400)
        numbers = sorted({form.cleaned_data["old"], form.cleaned_data["new"]})
        found = {r.number: r for r in article.revisions.filter(number__in=numbers).select_related("author")}
        missing = [n for n in numbers if n not in found]
        context = self._revision_context(request, article, "Compare revisions")
        if missing:
            context["form_errors"] = [f"The article has no revision {n}." for n in missing]
            return TemplateResponse(request, "admin/articles/article/revision_compare.html", context, status=404)
        old, new = found[numbers[0]], found[numbers[-1]]
        context.update(old=old, new=new, diffs=revisions.revision_diff(old, new))
        return TemplateResponse(request, "admin/articles/article/revision_compare.html", context)

    def merge_into_view(self, request, article_id: int, into_id: int):
        """From an upload's result: make a new story the next text of the earlier story with
        its headline (POST only; the button is beside the document's outcome)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"], "Use the button on the upload's result page.")
        target = self._article_for(request, into_id, change=True)
        new = self._article_for(request, article_id)
        if not self.has_delete_permission(request, new):
            raise PermissionDenied
        try:
            revision = revisions.merge_new_story_into(article_id=new.id, into_id=target.id, author=request.user)
        except revisions.RevisionError as error:
            self.message_user(request, f"Not merged: {error}.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[new.id]))
        self.message_user(
            request,
            f"Story {target.id} now has this text as its revision {revision.number}; the separate story "
            f"{article_id} was removed.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[target.id]))

    def revision_restore_view(self, request, article_id: int, number: int):
        article = self._article_for(request, article_id, change=True)
        old = article.revisions.filter(number=number).first()
        current = article.revisions.filter(number=article.revision).first()
        if old is None or current is None:
            raise Http404("No such revision.")
        if request.method == "POST":
            try:
                restored = revisions.restore_revision(article_id=article.id, number=number, author=request.user)
            except revisions.RevisionError as error:
                self.message_user(request, f"Not restored: {error}.", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Revision {number} restored: it is now revision {restored.number}, and the article is "
                    "queued for tagging.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[article.id]))
        context = self._revision_context(request, article, f"Restore revision {number}?")
        context.update(old=current, new=old, diffs=revisions.revision_diff(current, old), restoring=old)
        return TemplateResponse(request, "admin/articles/article/revision_restore.html", context)

    def batch_view(self, request, batch_id: int):
        if not self.has_add_permission(request):
            raise PermissionDenied
        batch = ImportBatch.objects.filter(id=batch_id).first()
        if batch is None:
            raise Http404("No such import.")
        if request.method == "POST" and not batch.is_finished:
            # "Queue again": after a broker outage, or a worker lost for good.
            ImportBatch.objects.filter(id=batch.id).update(error="")
            _enqueue(batch.id)
            return HttpResponseRedirect(request.path)
        # Files still waiting are counted, not listed: a 10,000-file batch stays a light page.
        items = list(batch.items.exclude(status=JobStatus.PENDING).order_by("position"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {batch.id}",
            "batch": batch,
            "items": items,
            "totals": services.batch_totals(batch),
            "refresh_seconds": None if batch.is_finished else 3,
            "changelist_url": reverse("admin:articles_article_changelist"),
            "upload_url": reverse("admin:articles_article_upload"),
        }
        return TemplateResponse(request, "admin/articles/article/import_batch.html", context)

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        may_publish = self.has_publish_permission(request)
        form = (
            UploadForm(request.POST, request.FILES, may_publish=may_publish)
            if request.method == "POST"
            else UploadForm(may_publish=may_publish)
        )
        results = None
        if request.method == "POST" and form.is_valid() and _goes_to_background(form.cleaned_data["files"]):
            batch = services.create_upload_batch(
                files=form.cleaned_data["files"], options=_upload_options(form), user=request.user
            )
            transaction.on_commit(lambda: _enqueue(batch.id))
            return HttpResponseRedirect(reverse("admin:articles_article_import", args=[batch.id]))
        if request.method == "POST" and form.is_valid():
            _batch, results = services.import_uploads_now(
                files=form.cleaned_data["files"], options=_upload_options(form), user=request.user
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload wire copy",
            "form": form,
            "results": results,
            "summary": _summarise(results) if results is not None else None,
            "changelist_url": reverse("admin:articles_article_changelist"),
            "recent_batches": ImportBatch.objects.filter(origin=ImportBatch.Origin.UPLOAD)[:5],
        }
        status = 400 if request.method == "POST" and not form.is_valid() else 200
        return TemplateResponse(request, "admin/articles/article/upload.html", context, status=status)


def _upload_options(form: UploadForm) -> services.ImportOptions:
    data = form.cleaned_data
    return services.ImportOptions(
        publish=data["publish"],
        source=data["source"].name if data["source"] else "",
        section=data["section"].name if data["section"] else "",
        published_at=data["published_at"],
        update_same_headline=data["update_same_headline"],
    )


def _enqueue(batch_id: int) -> None:
    try:
        # Sent once, without publish retries: with the broker down the editor's page says so
        # at once instead of waiting on reconnections (tagging's queue_tagging does the same).
        tasks.import_batch.apply_async(args=[batch_id], retry=False)
    except Exception:  # the broker is down: the files are stored, the page says so
        logger.exception("could not queue import batch %s", batch_id)
        ImportBatch.objects.filter(id=batch_id).update(
            error="The files are stored but the background queue could not be reached; "
            "the import will not start until it is queued again (manage.py import_articles can read them)."
        )


def _goes_to_background(files: list) -> bool:
    return (
        len(files) > INLINE_MAX_FILES
        or sum(f.size or 0 for f in files) > INLINE_MAX_BYTES
        or any(f.name.lower().endswith(".zip") for f in files)
    )


def _summarise(results: list[services.DocumentOutcome]) -> dict[str, int]:
    summary = {outcome.value: 0 for outcome in services.Outcome}
    for result in results:
        summary[result.outcome.value] += 1
    return summary
