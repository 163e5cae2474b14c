"""The real agency samples in the team's shared data (restricted: read in place, never
committed; found by `core.shared_data.find_shared_data`), and the mark that skips a test on a
machine that does not have them."""

from pathlib import Path

import pytest
from django.conf import settings

from core.shared_data import SHARED_DATA_VARIABLE, find_shared_data

SHARED_DATA = find_shared_data(Path(settings.BASE_DIR))
RESTRICTED_FORMATS = SHARED_DATA / "restricted" / "formats" if SHARED_DATA else None

needs_restricted_samples = pytest.mark.skipif(
    RESTRICTED_FORMATS is None or not RESTRICTED_FORMATS.is_dir(),
    reason=(
        f"real wire samples not available ({RESTRICTED_FORMATS} is absent)"
        if RESTRICTED_FORMATS
        else f"real wire samples not available (no shared data directory: set {SHARED_DATA_VARIABLE})"
    ),
)
