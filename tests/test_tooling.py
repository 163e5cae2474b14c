"""What `make test` promises about itself: the browser tests never skip silently in CI, and
the tasks tests send never reach a developer's broker."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from articles.services import ImportOptions, import_file
from entities import services
from entities.tests.worker import purge
from newsroom import settings as deployed_settings
from tests.reader import browser

ROOT = Path(__file__).resolve().parent.parent


def run_ensure_chromium(tmp_path: Path, *, ci: bool, apt_get: str | None) -> subprocess.CompletedProcess:
    """scripts/ensure-chromium.sh on a machine without Chromium: the script as shipped, but
    looking for the browser where there is none, with only the commands put in `bin/`
    (an apt-get that exits with `apt_get`'s status, or none)."""
    script = (ROOT / "scripts" / "ensure-chromium.sh").read_text()
    probed = "/usr/bin/chromium /usr/bin/chromium-browser"
    assert probed in script
    copy = tmp_path / "ensure-chromium.sh"
    copy.write_text(script.replace(probed, str(tmp_path / "no-chromium")))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command in ("env", "id"):
        (bin_dir / command).symlink_to(shutil.which(command))
    if apt_get is not None:
        for command in ("apt-get", "sudo"):
            fake = bin_dir / command
            fake.write_text(f"#!/bin/sh\nexit {apt_get}\n" if command == "apt-get" else '#!/bin/sh\nexec "$@"\n')
            fake.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), **({"CI": "true"} if ci else {})}
    return subprocess.run([shutil.which("bash"), str(copy)], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("apt_get", [None, "100"], ids=["no apt-get", "apt-get fails"])
def test_ensure_chromium_fails_in_ci_when_chromium_cannot_be_installed(tmp_path, apt_get):
    result = run_ensure_chromium(tmp_path, ci=True, apt_get=apt_get)
    assert result.returncode != 0
    assert "CI is set, so the browser tests may not be skipped" in result.stderr


def test_ensure_chromium_lets_a_developer_go_on_without_it(tmp_path):
    result = run_ensure_chromium(tmp_path, ci=False, apt_get=None)
    assert result.returncode == 0
    assert "browser tests will be skipped" in result.stderr


def test_without_chromium_the_browser_tests_fail_in_ci_and_are_skipped_elsewhere(monkeypatch):
    monkeypatch.setattr(browser, "chromium_path", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        browser.require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        browser.require_chromium()


@pytest.mark.django_db(transaction=True)
def test_tasks_sent_by_tests_go_to_the_sessions_own_broker(seed_bytes):
    assert settings.CELERY_BROKER_URL != deployed_settings.CELERY_BROKER_URL
    purge()
    import_file(
        name="seed.txt", data=seed_bytes, options=ImportOptions(publish=True)
    )  # queues its tagging after the commit
    assert services.tagging_backlog() == 1  # on the broker the session's settings name
    purge()
