"""What the change feed's triggers cost writers, and what reading the feed costs.

On a throw-away database: N published articles inserted (`bulk_create`, 500 a statement)
and each then updated once, in a transaction rolled back, alternately with the feed's
article trigger enabled and disabled; then the feed read to its end in pages of 100.

    python -m benchmarks change_feed [--articles=3000] [--rounds=3]
"""

import argparse
import os
import statistics
import time


class RolledBack(Exception):
    pass


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks change_feed")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Article
    from changes.selectors import START, changes_since, decode_position

    settings.DEBUG = False
    connection.settings_dict["TEST"]["NAME"] = "bench_change_feed"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)

    def articles(tag: str) -> list[Article]:
        now = timezone.now()
        rows = []
        for i in range(args.articles):
            article = Article(
                headline=f"Benchmark story {i}",
                slug=f"bench-{tag}-{i}",
                body=[{"type": "paragraph", "text": f"Paragraph {i} of a benchmark story. " * 20}],
                status=Article.Status.PUBLISHED,
                published_at=now,
                language="en",
                content_hash=f"{i:064d}",
            )
            article.body_text = article.compute_body_text()
            rows.append(article)
        return rows

    def write(*, triggers: bool) -> float:
        rows = articles(f"{triggers}")
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    if not triggers:
                        cursor.execute("ALTER TABLE articles_article DISABLE TRIGGER article_change_feed")
                    started = time.perf_counter()
                    Article.objects.bulk_create(rows, batch_size=500)
                    cursor.execute("UPDATE articles_article SET standfirst = 'Edited'")
                    elapsed = time.perf_counter() - started
                raise RolledBack(elapsed)
        except RolledBack as done:
            return done.args[0]

    try:
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        timings: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.rounds):
            for triggers in (False, True):
                timings[triggers].append(write(triggers=triggers))
        for triggers, seconds in timings.items():
            median = statistics.median(seconds)
            print(
                f"{'with' if triggers else 'without'} the feed's trigger: {args.articles:,} inserts + updates, "
                f"median {median:.2f}s ({2 * args.articles / median:,.0f} row writes/s); runs "
                + ", ".join(f"{s:.2f}" for s in seconds),
                flush=True,
            )
        Article.objects.bulk_create(articles("kept"), batch_size=500)  # committed: the feed's events
        started, pages, position = time.perf_counter(), 0, START
        while True:
            page = changes_since(position, page_size=100)
            pages += 1
            position = decode_position(page.next_cursor)
            if not page.has_more:
                break
        elapsed = time.perf_counter() - started
        print(f"feed read to its end: {pages} pages of 100 in {elapsed:.2f}s ({elapsed / pages * 1000:.1f} ms a page)")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
