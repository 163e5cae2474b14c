"""Public pages of people, organisations and places."""

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from core.http import absolute_url, cached, json_ld
from core.pagination import Cursor, InvalidCursor, decode_cursor
from entities.charts import timeline_chart
from entities.models import Entity, EntityKind, EntityRedirect
from entities.selectors import co_mentioned_entities, entity_articles, mention_timeline, published_mentions_exist

ENTITY_MAX_AGE = 300
PAGE_SIZE = 20


def page_cursor(value: str) -> Cursor:
    """The position a 'More articles' link gives; InvalidCursor for anything else (these
    pages only go forwards)."""
    cursor = decode_cursor(value, key_type=datetime)
    if cursor.backwards:
        raise InvalidCursor(value)
    return cursor


def resolve_entity(kind: str, slug: str) -> Entity:
    """The entity this URL names: itself, or the one it now lives as (renamed or merged);
    Http404 when there is none, it was rejected, or no published article mentions it. A
    redirect must not reveal the name of an entity known only from unpublished stories
    (security probe, F8), so the check comes before any redirect."""
    entity = Entity.objects.filter(kind=kind, slug=slug).first()
    if entity is None:
        old = EntityRedirect.objects.filter(kind=kind, slug=slug).select_related("entity").first()
        if old is None:
            raise Http404("No such entity")
        entity = old.entity
    seen = set()
    while entity.status == Entity.Status.MERGED and entity.merged_into_id and entity.id not in seen:
        seen.add(entity.id)
        entity = entity.merged_into
    if entity.status != Entity.Status.ACTIVE:
        raise Http404("No such entity")
    if not published_mentions_exist(entity_id=entity.id):
        raise Http404("No such entity")  # the same answer: no oracle for draft-only names
    return entity


LANGUAGE_NAMES = {"fr": "French", "en": "English"}


def entity_detail(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    entity = resolve_entity(kind, slug)
    if entity.slug != slug or entity.kind != kind:
        query = request.GET.urlencode()
        return redirect(entity.get_absolute_url() + (f"?{query}" if query else ""), permanent=True)
    before = None
    if "before" in request.GET:
        try:
            before = page_cursor(request.GET["before"])
        except InvalidCursor:
            return HttpResponseBadRequest(
                "The 'before' parameter must be a page cursor from a 'More articles' link.",
                content_type="text/plain; charset=utf-8",
            )
    articles, next_cursor = entity_articles(entity_id=entity.id, before=before, limit=PAGE_SIZE)
    url = entity.get_absolute_url()
    canonical = absolute_url(request, url)
    structured = {
        "@context": "https://schema.org",
        "@type": EntityKind(entity.kind).schema_type,
        "name": entity.name,
        "alternateName": sorted({label for label in (entity.labels or {}).values() if label != entity.name}) or None,
        "sameAs": entity.same_as_urls or None,
        "url": canonical,
    }
    context = {
        "entity": entity,
        "other_labels": [
            (LANGUAGE_NAMES.get(lang, lang), lang, label)
            for lang, label in sorted((entity.labels or {}).items())
            if label != entity.name
        ],
        "json_ld": json_ld({k: v for k, v in structured.items() if v is not None}),
        "articles": articles,
        "first_page": before is None,
        "next_url": f"{url}?before={next_cursor}" if next_cursor else None,
        "co_mentioned": co_mentioned_entities(entity_id=entity.id, limit=12) if before is None else [],
        "chart": timeline_chart(mention_timeline(entity_id=entity.id)) if before is None else None,
        "canonical": canonical,
        "feed_url": reverse(f"{EntityKind(entity.kind).url_name}-feed", kwargs={"slug": entity.slug}),
    }
    response = render(request, "entities/entity_detail.html", context)
    return cached(response, max_age=ENTITY_MAX_AGE)
