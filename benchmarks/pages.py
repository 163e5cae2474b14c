"""Server time and SQL queries of the reader pages at archive size.

Builds a throwaway database (never the development one), bulk-inserts an archive where one
entity is mentioned by N articles (10,000 by default), then times each page through
Django's test client: the first request after the caches are dropped (co-mention lists and
timelines, search window boundaries), then the median and 95th percentile over repeated
requests, plus the number of SQL queries per request.

    python -m benchmarks pages [--articles=10000] [--runs=30]

Then, when the search benchmark's archive exists (`python -m benchmarks search` builds
`newsroom_bench_archive`, 1,000,000 articles), the same pages are timed again at that size:
an article, the entity whose article count is nearest 10,000, and search pages. That
database is only read. `--archive-only` skips the small build; `--no-archive` skips this part.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

WORDS = [
    "coalition",
    "ministre",
    "gouvernement",
    "élection",
    "Paris",
    "réunion",
    "accord",
    "sommet",
    "sécurité",
    "économie",
    "budget",
    "réforme",
    "parlement",
    "président",
    "conseil",
    "européen",
    "crise",
    "énergie",
    "climat",
    "santé",
    "hôpital",
    "école",
    "université",
    "police",
    "justice",
    "tribunal",
    "enquête",
    "football",
    "championnat",
    "festival",
    "musée",
    "culture",
    "transport",
    "grève",
    "syndicat",
    "entreprise",
    "marché",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def build_archive(n_articles: int) -> dict:
    from articles.models import Article, Section, Source
    from entities.models import Entity, Mention

    rng = random.Random(42)
    sections = [Section.objects.create(name=f"Section {i}", slug=f"section-{i}") for i in range(6)]
    source = Source.objects.create(name="AFP", slug="afp")
    star = Entity.objects.create(kind="person", name="Alice Martin", slug="alice-martin")
    rare = Entity.objects.create(kind="place", name="Bourg-Rare", slug="bourg-rare")
    pool = [Entity.objects.create(kind="organisation", name=f"Org {i}", slug=f"org-{i}") for i in range(300)]
    now = timezone.now()
    articles = []
    for i in range(n_articles):
        body = [
            {
                "type": "paragraph",
                "text": f"Alice Martin {sentence(rng, 30)} Org {rng.randrange(300)} {sentence(rng, 20)}",
            },
            {"type": "intertitle", "text": sentence(rng, 4)},
            {"type": "paragraph", "text": sentence(rng, 60)},
        ]
        article = Article(
            headline=f"{sentence(rng, 8)[:-1]} {i}",
            slug=f"bench-article-{i}",
            standfirst=sentence(rng, 25),
            body=body,
            byline="Bench Desk",
            language="fr",
            section=rng.choice(sections),
            source=source,
            photo_caption=f"Alice Martin {sentence(rng, 10)}",
            photo_credit="BENCH, AFP",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i * 263),  # about five years of news
            rights="© AFP",
        )
        article.body_text = article.compute_body_text()
        article.content_hash = article.compute_content_hash()
        articles.append(article)
    # A few drafts, which every page must leave out.
    for article in articles[:50:10]:
        article.status = Article.Status.DRAFT
    Article.objects.bulk_create(articles, batch_size=1000)
    mentions = []
    for n, article in enumerate(articles):
        mentions.append(
            Mention(article=article, entity=star, field="body_text", start=0, end=12, surface="Alice Martin")
        )
        mentions.append(
            Mention(article=article, entity=star, field="photo_caption", start=0, end=12, surface="Alice Martin")
        )
        org_text = article.body[0]["text"]
        start = org_text.index("Org ")
        surface = org_text[start:].split(" ")[0] + " " + org_text[start:].split(" ")[1]
        org = pool[int(surface.split(" ")[1])]
        mentions.append(
            Mention(
                article=article, entity=org, field="body_text", start=start, end=start + len(surface), surface=surface
            )
        )
        if n % 2000 == 1000:
            mentions.append(
                Mention(article=article, entity=rare, field="headline", start=0, end=1, surface=article.headline[0])
            )
    Mention.objects.bulk_create(mentions, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "article": articles[len(articles) // 2],
        "star": star,
        "rare": rare,
        "mentions": len(mentions),
    }


def drop_caches() -> None:
    """What a page computes once and then keeps: the entities' co-mention lists and
    timelines (Redis) and the search windows' boundaries (per process)."""
    from articles import search
    from entities.selectors import invalidate_entity_caches

    invalidate_entity_caches()
    search.boundary_cache.clear()


def measure(client: Client, url: str, runs: int) -> tuple[float, float, float, int, int]:
    drop_caches()
    start = time.perf_counter()
    client.get(url)
    first = (time.perf_counter() - start) * 1000
    for _ in range(2):
        response = client.get(url)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return first, statistics.median(times), p95, len(queries), response.status_code


def time_pages(client: Client, pages: list[tuple[str, str]], runs: int) -> None:
    print(f"{'page':<44} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'status':>7}")
    for label, url in pages:
        first, median, p95, queries, status = measure(client, url, runs)
        print(f"{label:<44} {first:>9.1f} {median:>10.1f} {p95:>8.1f} {queries:>8} {status:>7}", flush=True)
    print("(first: the first request after the caches were dropped; median and p95 over the later runs)")


ARCHIVE_DB = "newsroom_bench_archive"  # built by benchmarks/search/


def archive_pages(runs: int) -> None:
    """The reader pages against the search benchmark's archive (read only)."""
    from django.db import OperationalError, ProgrammingError
    from django.db.models import F, Func

    from articles.models import Article
    from entities.models import Entity

    connection.close()
    connection.settings_dict["NAME"] = ARCHIVE_DB
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM articles_article")
            total = cursor.fetchone()[0]
    except (OperationalError, ProgrammingError):
        print(f"archive pages: skipped ({ARCHIVE_DB} does not exist: `make bench BENCH_ARGS=search` builds it)")
        return
    star = (
        Entity.objects.filter(status="active", article_count__gt=0)
        .annotate(distance=Func(F("article_count") - 10_000, function="abs"))
        .order_by("distance")
        .first()
    )
    if star is None:
        print("archive pages: skipped (no entity with published articles)")
        return
    article = Article.objects.published().filter(mentions__entity=star).order_by("-published_at").first()
    search_url = reverse("articles:search")
    pages = [
        ("home", "/"),
        ("article", article.get_absolute_url()),
        (f"entity, {star.article_count:,} articles, page 1", star.get_absolute_url()),
        ("search 'government'", f"{search_url}?q=government"),
        ("search 'ministre' (fr)", f"{search_url}?q=ministre&language=fr"),
        ("search '\"prime minister\"'", f"{search_url}?q=%22prime+minister%22"),
        (f"search 'minister' + entity {star.name}", f"{search_url}?q=minister&entity={star.slug}"),
    ]
    print(f"archive: {ARCHIVE_DB}, {total:,} articles (the search benchmark's)")
    time_pages(Client(), pages, runs)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks pages")
    parser.add_argument("--articles", type=int, default=10_000, help="articles of the small archive's entity")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--archive-only", action="store_true", help="skip the small archive")
    parser.add_argument("--no-archive", action="store_true", help="skip the search benchmark's archive")
    args = parser.parse_args(argv)
    n_articles, runs = args.articles, args.runs
    logging.getLogger("django.request").setLevel(logging.ERROR)
    setup_test_environment()
    production_like = override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        SECURE_SSL_REDIRECT=False,
    )
    if not args.archive_only:
        with production_like:
            small_archive_pages(n_articles, runs)
    if not args.no_archive:
        with production_like:
            archive_pages(runs)
    return 0


def small_archive_pages(n_articles: int, runs: int) -> None:
    connection.settings_dict["TEST"]["NAME"] = "newsroom_bench_pages"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        data = build_archive(n_articles)
        print(
            f"archive: {n_articles} articles, {data['mentions']} mentions, built in {time.perf_counter() - start:.1f}s"
        )
        client = Client()
        star_url = data["star"].get_absolute_url()
        deep = client.get(star_url)
        pages = [
            ("home", "/"),
            ("article", data["article"].get_absolute_url()),
            (f"entity, {n_articles} articles, page 1", star_url),
            (f"entity, rare ({max(1, n_articles // 2000)} articles)", data["rare"].get_absolute_url()),
            ("feed, entity", star_url + "feed/"),
            ("feed, latest", "/feeds/latest/"),
        ]
        from entities.selectors import entity_articles

        _page, cursor = entity_articles(entity_id=data["star"].id, before=None, limit=n_articles // 2)
        if cursor:
            pages.insert(3, ("entity, deep page (middle)", f"{star_url}?before={cursor}"))
        search_url = reverse("articles:search")
        pages += [
            ("search 'coalition ministre'", f"{search_url}?q=coalition+ministre"),
            ("search 'Alice Martin'", f"{search_url}?q=Alice+Martin"),
            ("search, no result 'zqxjvw'", f"{search_url}?q=zqxjvw"),
            (
                "search 'budget', entity + dates + fr",
                f"{search_url}?q=budget&entity={data['star'].slug}&language=fr&from=2000-01-01",
            ),
        ]
        assert deep.status_code == 200
        time_pages(client, pages, runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
