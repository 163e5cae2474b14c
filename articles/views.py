"""Reader pages of the archive: home, article and search pages."""

from urllib.parse import urlencode

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles import search
from articles.forms import SearchForm
from articles.models import Article
from articles.rendering import render_article
from articles.search.facets import FACETS, Facets
from articles.selectors import public_corrections, published_articles, related_articles
from core.http import absolute_url, cached, json_ld
from entities.models import Entity, EntityKind, name_key

HOME_MAX_AGE = 60
ARTICLE_MAX_AGE = 600
SEARCH_MAX_AGE = 60
SEARCH_PAGE_SIZE = 20
SEARCH_FACET_SIZE = 8
FACET_HEADINGS = {"person": "People", "organisation": "Organisations", "place": "Places"}
FACET_HEADINGS |= {"language": "Language", "section": "Section", "year": "Year"}
SECTION_ARTICLES = 4
HOME_SECTION_WINDOW = 500
OG_LOCALES = {"fr": "fr_FR", "en": "en_GB", "de": "de_DE", "es": "es_ES", "it": "it_IT", "pt": "pt_PT", "nl": "nl_NL"}


def home(request: HttpRequest) -> HttpResponse:
    latest = list(Article.objects.published().for_display().select_related("section", "source")[:20])
    # The latest few of every section in one query, whatever the number of sections.
    # Sections are drawn from the most recent stories only, so the home page costs the same
    # whatever the archive's size (a section silent for HOME_SECTION_WINDOW stories drops off).
    recent = Article.objects.published().order_by("-published_at", "-id").values("id")[:HOME_SECTION_WINDOW]
    by_section = (
        Article.objects.filter(id__in=recent)
        .for_display()
        .filter(section__isnull=False)
        .select_related("section", "source")
        .annotate(
            rank=Window(RowNumber(), partition_by=F("section_id"), order_by=[F("published_at").desc(), F("id").desc()])
        )
        .filter(rank__lte=SECTION_ARTICLES)
        .order_by("section__name", "rank")
    )
    sections: dict = {}
    for article in by_section:
        sections.setdefault(article.section, []).append(article)
    response = render(
        request,
        "articles/home.html",
        {"articles": latest, "sections": list(sections.items()), "canonical": absolute_url(request, "/")},
    )
    # No Last-Modified: an unpublished story leaves the list without making the list newer,
    # so a conditional request could keep showing it; a short max-age is the whole policy.
    return cached(response, max_age=HOME_MAX_AGE)


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.published().for_display().select_related("section", "source"), slug=slug
    )
    mentions = list(
        article.mentions.filter(entity__status=Entity.Status.ACTIVE).select_related("entity").order_by("field", "start")
    )
    rendered = render_article(article, mentions)
    entities: dict[str, list] = {kind: [] for kind in EntityKind}
    seen = set()
    for mention in mentions:
        if mention.entity_id not in seen:
            seen.add(mention.entity_id)
            entities[mention.entity.kind].append(mention.entity)
    canonical = absolute_url(request, article.get_absolute_url())
    corrections = public_corrections(article)
    structured = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:110],
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.modified_at.isoformat(),
        "inLanguage": article.language if article.language != "und" else None,
        "mainEntityOfPage": canonical,
        "url": canonical,
        "author": [{"@type": "Person", "name": article.byline}] if article.byline else None,
        "publisher": {"@type": "Organization", "name": article.source.name} if article.source else None,
        "articleSection": article.section.name if article.section else None,
        "copyrightNotice": article.rights or None,
        "correction": [
            {"@type": "CorrectionComment", "text": c.correction_note, "datePublished": c.created_at.isoformat()}
            for c in corrections
        ]
        or None,
        "about": [
            {
                "@type": EntityKind(e.kind).schema_type,
                "name": e.label(article.language),
                **({"sameAs": e.same_as_urls} if e.same_as_urls else {}),
            }
            for kind in entities.values()
            for e in kind
        ]
        or None,
    }
    context = {
        "article": article,
        "rendered": rendered,
        "people": entities["person"],
        "organisations": entities["organisation"],
        "places": entities["place"],
        "related": related_articles(article=article, limit=5, entity_ids=list(seen)),
        "corrections": corrections,
        "canonical": canonical,
        "json_ld": json_ld({k: v for k, v in structured.items() if v is not None}),
        "lang": article.language if article.language != "und" else "",
        "og_locale": OG_LOCALES.get(article.language, ""),
    }
    response = render(request, "articles/article_detail.html", context)
    return cached(response, max_age=ARTICLE_MAX_AGE, last_modified=article.updated_at)


def result_count_text(page: search.Page) -> str:
    """The number of results as the engine knows it: exact, or an honest "about" when it
    is the planner's estimate (rounded to two significant figures, all it is worth)."""
    if not page.count_is_estimate:
        if page.count == 0:
            return "No articles match this search."
        return f"{page.count:,} result{'s' if page.count != 1 else ''}"
    rounded = round(page.count, 1 - len(str(page.count))) if page.count >= 100 else page.count
    return f"About {rounded:,} results"


def search_page(request: HttpRequest) -> HttpResponse:
    """/search/: full-text search with filters through the same engine as the partner API,
    the entity the words name as a card, and the results' facets as filters that narrow them."""
    form = SearchForm(request.GET)
    context: dict = {"form": form, "query": request.GET.get("q", "")}
    if form.is_valid() and form.has_criteria:
        filters = form.search_filters()
        try:
            page = search.search_articles(
                filters,
                cursor=request.GET.get("cursor") or None,
                page_size=SEARCH_PAGE_SIZE,
                facets=FACETS,
                facet_size=SEARCH_FACET_SIZE,
            )
        except search.SearchError as error:
            form.add_error(error.param if error.param in form.fields else None, error.message)
        else:
            parameters = form.query_parameters()

            def page_url(cursor: str | None) -> str:
                return "?" + urlencode({**parameters, "cursor": cursor} if cursor else parameters, doseq=True)

            context.update(
                results=[(article, page.snippets.get(article.id)) for article in published_articles(page.ids)],
                count_text=result_count_text(page),
                searched=True,
                first_url=page_url(None) if request.GET.get("cursor") else None,
                previous_url=page_url(page.previous_cursor) if page.previous_cursor else None,
                next_url=page_url(page.next_cursor) if page.next_cursor else None,
                facet_groups=facet_groups(form, page.facets, None if page.count_is_estimate else page.count),
                facets_estimated=page.facets.estimated,
                entity_cards=entity_cards(form, page.entities),
            )
    context["entity"] = form.chosen_entity
    context["chosen_entities"] = [
        (entity, "?" + urlencode(form.without_entity(entity), doseq=True)) for entity in form.chosen_entities
    ]
    if form.chosen_section is not None:
        context["chosen_section"] = form.chosen_section
        context["without_section_url"] = "?" + urlencode(form.query_parameters(section=None), doseq=True)
    if not form.errors:
        query_string = urlencode(form.query_parameters(), doseq=True)
        context["canonical"] = absolute_url(request, "/search/" + (f"?{query_string}" if query_string else ""))
    if form.data.get("entity"):
        context["without_entity_url"] = "?" + urlencode(form.query_parameters(entity=None, kind=None), doseq=True)
    response = render(request, "articles/search.html", context, status=400 if form.errors else 200)
    return cached(response, max_age=SEARCH_MAX_AGE)


def facet_groups(form: SearchForm, facets: Facets, results: int | None) -> list[dict]:
    """The facets as the page shows them: each group's values with the link that adds it to
    the search. What would narrow nothing is left out: a value already chosen, a group whose
    filter is set (language, section), a value every one of the `results` has (when their
    number is exact)."""
    chosen = {entity.id for entity in form.chosen_entities}
    data = form.cleaned_data
    groups = []
    for name in FACETS:
        if (name == "language" and data.get("language")) or (name == "section" and form.chosen_section):
            continue
        values = facets.values.get(name, [])
        links = []
        for value in values:
            if results is not None and not facets.estimated and value.count >= results:
                continue
            if name in EntityKind.values:
                if value.value in chosen:
                    continue
                parameters = form.with_entity(name, value.slug)
            elif name == "language":
                parameters = form.query_parameters(language=value.value)
            elif name == "section":
                parameters = form.query_parameters(section=value.value)
            else:
                parameters = form.within_year(value.value)
            links.append({"value": value, "url": "?" + urlencode(parameters, doseq=True)})
        if name == "year":
            links.sort(key=lambda link: link["value"].value, reverse=True)
        if links:
            groups.append({"name": name, "heading": FACET_HEADINGS[name], "links": links})
    return groups


def entity_cards(form: SearchForm, named: list[Entity]) -> list[dict]:
    """The known entities the words name (as the engine found them), the best first, each
    with its page and the search narrowed to the articles that mention it (its words dropped
    when they are the whole query)."""
    q = form.cleaned_data.get("q") or ""
    cards = []
    chosen = {entity.id for entity in form.chosen_entities}
    for entity in named:
        whole_query = entity.matched_words == name_key(q)
        narrowed = form.with_entity(entity.kind, entity.slug)
        if whole_query:
            narrowed.pop("q", None)
            narrowed.pop("ordering", None)
        cards.append(
            {
                "entity": entity,
                "only_url": None if entity.id in chosen else "?" + urlencode(narrowed, doseq=True),
            }
        )
    return cards
