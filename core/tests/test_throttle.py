"""The partner API's throttle: a sliding window over two fixed counters in the real Redis cache."""

from types import SimpleNamespace
from unittest.mock import patch

from django.conf import settings
from django.core.cache import cache
from rest_framework_api_key.models import APIKey

from core.api import APIKeyRateThrottle


def test_the_throttle_window_slides_and_retry_after_is_kept():
    """The per-key counter is a sliding window over two fixed ones (real Redis): a refused
    request is not counted, and a request made when Retry-After says is let through, while
    one a second earlier is not."""
    assert settings.CACHES["default"]["BACKEND"] == "core.cache.ResilientRedisCache"
    clock = {"now": 6_000_000.0}  # the start of a window of 60 s
    request = SimpleNamespace(auth=APIKey(prefix=f"slide{abs(hash(clock['now'])) % 10**6}"))
    cache.delete_many([f"throttle_api_key_{request.auth.prefix}:{w}" for w in (99_999, 100_000, 100_001)])

    def ask(at: float) -> tuple[bool, int | None]:
        clock["now"] = at
        with patch.dict(APIKeyRateThrottle.THROTTLE_RATES, api_key="10/minute"):
            throttle = APIKeyRateThrottle()
            throttle.timer = lambda: clock["now"]
            allowed = throttle.allow_request(request, None)
        return allowed, None if allowed else throttle.wait()

    start = clock["now"]
    assert [ask(start + i)[0] for i in range(10)] == [True] * 10
    allowed, retry = ask(start + 30)
    assert not allowed
    # This window is full; in the next its 10 requests weigh 10 * (1 - t/60): room for one
    # more from t = 6 s, so 30 s to the window's end + 6.
    assert retry == 36
    assert [ask(start + 31 + i)[0] for i in range(5)] == [False] * 5  # refused: not counted
    assert ask(start + 30 + retry - 1) == (False, 1)
    assert ask(start + 30 + retry)[0] is True
    # Later in that window the previous one weighs less and less: at t = 30 s it counts 5.
    assert [ask(start + 90 + i / 10)[0] for i in range(5)] == [True, True, True, True, False]
