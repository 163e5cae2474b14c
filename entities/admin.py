"""Curation of people, organisations and places: rename, aliases, merge, reject, and the
desk's two work lists (the review queue and the likely duplicates)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from entities import curation, selectors, services
from entities.models import Alias, CurationEvent, Entity, EntityKind, EntityRedirect, Mention, name_key

# The entity page lists this many of its latest curations (the full log is a link away).
HISTORY_ON_PAGE = 50


class AliasInline(admin.TabularInline):
    model = Alias
    fields = ["name"]
    extra = 1


class _FirstMentions(BaseInlineFormSet):
    # A popular place has thousands of mentions: the page shows the latest 100.
    def get_queryset(self):
        return super().get_queryset().order_by("-article_id", "field", "start")[:100]


class MentionInline(admin.TabularInline):
    model = Mention
    formset = _FirstMentions
    verbose_name_plural = "mentions (latest 100)"
    fields = ["article", "field", "start", "end", "surface", "found_by"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(queryset=Entity.objects.none(), label="Keep", empty_label=None)

    def __init__(self, *args, entities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = entities


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "article_count", "curated", "slug"]
    list_filter = ["kind", "status", "curated"]
    search_fields = ["name", "key", "aliases__key"]
    readonly_fields = [
        "key",
        "status",
        "merged_into",
        "article_count",
        "curated",
        "type_votes",
        "created_at",
        "updated_at",
        "curation_history",
    ]
    fields = ["kind", "name", "slug", "labels", "same_as", "wikidata_id", *readonly_fields]
    inlines = [AliasInline, MentionInline]
    actions = ["merge", "reject"]
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="Type votes")
    def type_votes(self, obj: Entity) -> str:
        """What the archive's articles called the entity's names: the evidence tagging
        decides its type from (entities/extraction/evidence.py)."""
        if obj is None or obj.pk is None:
            return "-"
        keys = [obj.key, *obj.aliases.values_list("key", flat=True)]
        totals = selectors.type_votes_of(keys=keys)
        if not totals:
            return "none yet"
        return ", ".join(
            f"{EntityKind(kind).label.lower()}: {mentions} mentions in {articles} articles"
            for kind, mentions, articles in totals
        )

    @admin.display(description="Curation history")
    def curation_history(self, obj: Entity) -> str:
        """Who curated the entity and when, newest first; "machine" for what tagging's
        evidence decided (entities/services.py logs each curation with its change)."""
        if obj is None or obj.pk is None:
            return "-"
        events = list(
            CurationEvent.objects.filter(CurationEvent.concerning(obj.id))
            .select_related("entity", "user")
            .order_by("-at", "-id")[: HISTORY_ON_PAGE + 1]
        )
        if not events:
            return "none yet"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.editor, e.describe(obj.id))
                for e in events[:HISTORY_ON_PAGE]
            ),
        )
        more = ""
        if len(events) > HISTORY_ON_PAGE:
            url = reverse("admin:entities_curationevent_changelist") + f"?entity__id__exact={obj.id}"
            more = format_html('<p><a href="{}">The whole log of this entity</a></p>', url)
        return format_html(
            '<table class="curation-history"><thead><tr><th>When</th><th>Who</th><th>What</th></tr></thead>'
            "<tbody>{}</tbody></table>{}",
            rows,
            more,
        )

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # The kind and slug of an existing entity change only through rename/merge.
        return [*self.readonly_fields, "kind", "slug"] if obj else self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        queryset, _dupes = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            services.record_curation(
                entity_id=obj.id,
                action=CurationEvent.Action.CREATED,
                user_id=request.user.id,
                detail={"name": obj.name, "kind": obj.kind},
            )
            return
        # Through the services, each change logged under the editor's name: a rename keeps
        # the old name as an alias and the old slug as a redirect.
        renamed = "name" in form.changed_data
        if renamed:
            try:
                services.rename_entity(entity_id=obj.id, name=obj.name, user_id=request.user.id)
            except services.CurationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        rest = {f: form.cleaned_data[f] for f in form.changed_data if f != "name"}
        if rest or not renamed:  # saving the form as it is vouches for it (curated) too
            services.edit_entity(entity_id=obj.id, changes=rest, user_id=request.user.id)
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is Alias:
            with transaction.atomic():
                instances = formset.save(commit=False)
                for obj in formset.deleted_objects:
                    services.remove_entity_alias(alias_id=obj.id, user_id=request.user.id)
                for alias in instances:
                    try:
                        services.add_entity_alias(entity_id=form.instance.id, name=alias.name, user_id=request.user.id)
                    except services.CurationError as exc:
                        self.message_user(request, str(exc), messages.ERROR)
                        continue
                    if alias.pk and alias.key != name_key(alias.name):
                        # An alias edited in place: the new name is added, the old one goes.
                        services.remove_entity_alias(alias_id=alias.pk, user_id=request.user.id)
            return
        super().save_formset(request, form, formset, change)

    # --- The curation desk's work lists ---------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("review/", view(self.review_view), name="entities_entity_review"),
            path("review/checked/", view(require_POST(self.checked_view)), name="entities_entity_checked"),
            path("duplicates/", view(self.duplicates_view), name="entities_entity_duplicates"),
            path("duplicates/decide/", view(require_POST(self.decide_duplicate_view)), name="entities_entity_decide"),
            *super().get_urls(),
        ]

    def _desk_context(self, request, title: str) -> dict:
        kind = request.GET.get("kind", "")
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "kinds": EntityKind.choices,
            "kind": kind if kind in EntityKind.values else "",
            "can_change": self.has_change_permission(request),
        }

    def review_view(self, request):
        """Unchecked entities, the most published first, with their weak-evidence flags."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = self._desk_context(request, "Entities to review")
        weak_only = request.GET.get("weak") == "1"
        queue = curation.review_queue(kind=context["kind"], weak_only=weak_only)
        page = Paginator(queue, 50).get_page(request.GET.get("page"))
        rows = [(entity, curation.flags(entity).labels) for entity in page.object_list]
        return TemplateResponse(
            request,
            "admin/entities/entity/review.html",
            {**context, "page": page, "rows": rows, "weak_only": weak_only},
        )

    def checked_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            entity = services.mark_entity_checked(
                entity_id=_entity_id(request.POST.get("entity")), user_id=request.user.id
            )
        except services.CurationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"{entity.name} is checked.", messages.SUCCESS)
        return HttpResponseRedirect(_back(request, "admin:entities_entity_review"))

    def duplicates_view(self, request):
        """Pairs that are probably one entity, with the evidence and a one-click merge."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = self._desk_context(request, "Likely duplicates")
        suggestions = curation.likely_duplicates(kind=context["kind"], limit=100)
        return TemplateResponse(
            request, "admin/entities/entity/duplicates.html", {**context, "suggestions": suggestions}
        )

    def decide_duplicate_view(self, request):
        """Merge the pair (the second into the first) or record that they are distinct."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        keep, other = _entity_id(request.POST.get("keep")), _entity_id(request.POST.get("other"))
        try:
            if request.POST.get("decision") == "merge":
                survivor = services.merge_entities(survivor_id=keep, duplicate_ids=[other], user_id=request.user.id)
                self.message_user(request, f"Merged into {survivor.name}.", messages.SUCCESS)
            elif request.POST.get("decision") == "distinct":
                services.dismiss_duplicate(entity_ids=(keep, other), user_id=request.user.id)
                self.message_user(request, "Noted: they are not the same; the pair will not come back.")
            else:
                self.message_user(request, "Choose merge or not the same.", messages.ERROR)
        except services.CurationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(_back(request, "admin:entities_entity_duplicates"))

    @admin.action(description="Merge selected entities into one…", permissions=["change"])
    def merge(self, request, queryset):
        entities = queryset.filter(status=Entity.Status.ACTIVE)
        if entities.count() < 2:
            self.message_user(request, "Select at least two active entities to merge.", messages.ERROR)
            return None
        if entities.values("kind").distinct().count() > 1:
            self.message_user(request, "Only entities of one kind can be merged.", messages.ERROR)
            return None
        if "apply" in request.POST:
            form = MergeForm(request.POST, entities=entities)
            if form.is_valid():
                survivor = form.cleaned_data["survivor"]
                try:
                    services.merge_entities(
                        survivor_id=survivor.id,
                        duplicate_ids=[e.id for e in entities if e.id != survivor.id],
                        user_id=request.user.id,
                    )
                except services.CurationError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                    return None
                self.message_user(request, f"Merged {entities.count() - 1} into {survivor.name}.", messages.SUCCESS)
                return None
        else:
            form = MergeForm(entities=entities, initial={"survivor": entities.order_by("-article_count").first()})
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge entities",
            "form": form,
            "entities": entities,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/entities/entity/merge.html", context)

    @admin.action(description="Reject selected (not an entity; never tagged again)", permissions=["change"])
    def reject(self, request, queryset):
        count = 0
        for entity_id in queryset.values_list("id", flat=True):
            services.reject_entity(entity_id=entity_id, user_id=request.user.id)
            count += 1
        self.message_user(request, f"{count} entit(ies) rejected.", messages.SUCCESS)


@admin.register(CurationEvent)
class CurationEventAdmin(admin.ModelAdmin):
    """The curation log, read-only: open to staff who may view entities, written only by
    the curation services."""

    list_display = ["at", "entity_link", "action", "who", "what"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["entity__name", "username"]
    list_select_related = ["entity", "user"]
    fields = ["at", "entity", "action", "who", "what", "detail"]
    readonly_fields = fields
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="Entity", ordering="entity__name")
    def entity_link(self, obj: CurationEvent) -> str:
        url = reverse("admin:entities_entity_change", args=[obj.entity_id])
        return format_html('<a href="{}">{}</a>', url, obj.entity)

    @admin.display(description="Who")
    def who(self, obj: CurationEvent) -> str:
        return obj.editor

    @admin.display(description="What")
    def what(self, obj: CurationEvent) -> str:
        return obj.describe()

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.has_perm("entities.view_entity") or user.has_perm("entities.change_entity")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EntityRedirect)
class EntityRedirectAdmin(admin.ModelAdmin):
    list_display = ["kind", "slug", "entity"]
    search_fields = ["slug"]
    raw_id_fields = ["entity"]


def _entity_id(value: str | None) -> int:
    """An entity id from a form field; 0 (no entity) when it is not a positive number."""
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


def _back(request, default: str) -> str:
    """Back to the work list the editor came from (its filters and page), never off the site."""
    nxt = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return nxt if nxt and safe else reverse(default)
