"""The same delivery imported twice at once still leaves one copy of each story."""

import threading

import pytest
from django.db import connection

from articles import services
from articles.models import Article
from articles.tests import hostile


@pytest.mark.django_db(transaction=True)
def test_same_feed_imported_concurrently_creates_each_story_once():
    feed = hostile.jsonl(*(hostile.good_record(n) for n in range(20)))
    results: list[list[services.DocumentOutcome]] = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(services.import_file(name="feed.jsonl", data=feed))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = [o.outcome for run in results for o in run]
    assert len(outcomes) == 40
    assert outcomes.count("created") == 20
    assert outcomes.count("refused") == 0
    assert Article.objects.count() == 20
