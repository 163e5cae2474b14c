"""Finding the Chromium that the browser tests drive through Playwright (Debian's, which
scripts/ensure-chromium.sh installs), and what to do when there is none."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def require_chromium() -> str:
    """Chromium's path. Without one the browser tests are skipped on a developer's machine
    and fail in CI (CI set), where they must run."""
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (scripts/ensure-chromium.sh installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests may not be skipped")
        pytest.skip(reason)
    return path


def sign_in(context, base_url: str, user) -> None:
    """Give a Playwright browser context the session of `user`, as if they had logged in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
