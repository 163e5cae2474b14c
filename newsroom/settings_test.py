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
