"""Settings of the test suite: the local defaults `make test` exports, however pytest is started.

Plain HTTP and no HSTS (DEBUG's defaults), so the test client and live server speak to the
site as a developer's browser would; production settings have their own tests
(tests/test_settings.py runs `check --deploy` in a subprocess with a production environment).
"""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "true")

from newsroom.settings import *  # noqa: E402, F403

# WhiteNoise warns on every request when the collectstatic folder is missing; the tests serve
# static files through the finders, so an empty folder is all it needs.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405

# Each test builds its own archive: a window boundary from another test's rows would still give
# correct results but could change the plan a test expects. The cache has its own test.
SEARCH_WINDOW_CACHE_SECONDS = 0
# Likewise the co-mention lists (entity ids repeat across tests' databases); tested on their own.
COMENTION_CACHE_SECONDS = 0


def _own_redis_database(url: str, database: int) -> str:
    """The broker's Redis, another database."""
    if url.startswith("redis+socket://"):
        return url.split("?")[0] + f"?virtual_host={database}"
    base, _, db = url.rpartition("/")
    return f"{base}/{database}" if db.isdigit() and base.count("/") >= 2 else url.rstrip("/") + f"/{database}"


# Tasks the tests send (tagging after an import, background uploads) go to a Redis database of
# their own: a `make run` worker on the same checkout never takes them against its database,
# and the tests that empty a queue never empty the developer's. The cache keeps database 1.
CELERY_BROKER_URL = _own_redis_database(CELERY_BROKER_URL, 9)  # noqa: F405
