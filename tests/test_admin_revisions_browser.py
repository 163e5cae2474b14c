"""An editor in headless Chromium: from an article's admin page to its history, a diff
between two revisions, and a restore of the first one (itself a new revision)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from articles.ingest import ParsedArticle
from articles.models import Article
from articles.services import ImportOptions, import_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FIRST = "The harbour master closed the port of Calais on Monday <because of the storm>."
SECOND = "The harbour master reopened the port of Calais on Tuesday after the storm."


def story(version: int, text: str) -> Article:
    parsed = ParsedArticle(
        headline="Port of Calais", language="en", source="Example Wire", external_id="calais", version=version
    )
    parsed.paragraph(text)
    return import_article(parsed=parsed, options=ImportOptions(publish=True))[1]


def test_an_editor_compares_two_revisions_and_restores_the_first(browser, live_server):
    User.objects.create_superuser("editor", "editor@example.org", "a-long-test-passphrase")
    story(1, FIRST)
    article = story(2, SECOND)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/article/{article.id}/change/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", "a-long-test-passphrase")
        page.click("input[type=submit]")
        page.get_by_role("link", name="Revisions (2)").click()
        assert page.locator("tr.revision-row").count() == 2

        # The newest two are chosen by default: compare them.
        page.get_by_role("button", name="Compare").click()
        assert "Revision 1" in page.locator(".compare-summary").inner_text()
        body = page.locator('.revision-diff[data-field="body"]')
        # Side by side: revision 1's line on the left, revision 2's on the right, the changed
        # parts marked.
        old_side = " ".join(body.locator("tbody td:nth-child(3)").all_inner_texts()).replace("\xa0", " ")
        new_side = " ".join(body.locator("tbody td:nth-child(6)").all_inner_texts()).replace("\xa0", " ")
        assert "closed the port of Calais on Monday" in old_side
        assert "reopened the port of Calais on Tuesday" in new_side
        assert body.locator(".diff_chg, .diff_sub, .diff_add").count() > 0
        # Stored text is shown as text: the angle brackets are not markup.
        assert "<be" in old_side and "storm>" in old_side  # (long lines wrap at 70 characters)
        assert page.locator(".revision-diff because").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin-revision-diff.png"), full_page=True)

        page.get_by_role("link", name="Restore revision 1…").click()
        assert "Restore revision 1?" in page.title()
        page.get_by_role("button", name="Yes, restore revision 1").click()
        assert "Revision 1 restored: it is now revision 3" in page.locator(".messagelist").inner_text()
        newest = page.locator("tr.revision-row").first
        assert "Restore of revision 1" in newest.inner_text() and "(current)" in newest.inner_text()
        assert "editor" in newest.inner_text()
        page.screenshot(path=str(ARTIFACTS / "admin-revision-restored.png"), full_page=True)
    finally:
        context.close()

    article.refresh_from_db()
    assert article.revision == 3
    assert article.body_text == FIRST
    assert article.status == "published"  # a restore leaves publication as it was
