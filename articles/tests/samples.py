"""The real agency samples in ../shared/data (restricted: read in place, never committed),
and the mark that skips a test on a machine that does not have them."""

from pathlib import Path

import pytest
from django.conf import settings

RESTRICTED_FORMATS = Path(settings.BASE_DIR).parent / "shared" / "data" / "restricted" / "formats"

needs_restricted_samples = pytest.mark.skipif(
    not RESTRICTED_FORMATS.is_dir(), reason=f"real wire samples not available ({RESTRICTED_FORMATS} is absent)"
)
