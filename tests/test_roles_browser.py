"""A reporter in headless Chromium: the upload page has no Publish box; an upload that
files a new story and tries to rewrite a published one shows the new story created and the
other refused with its reason; the published story's page offers no Save."""

import pytest

from articles import services
from articles.models import Article
from articles.services import ImportOptions
from articles.tests.staff import staff_user
from tests.reader.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLISHED = b"Ferry timetable changes\n\nThe published text.\n"


def test_a_reporter_sees_what_was_filed_and_why_the_rest_was_refused(browser, live_server, tmp_path):
    [stored] = services.import_file(name="ferry.txt", data=PUBLISHED, options=ImportOptions(publish=True))
    reporter = staff_user("reporter", "articles.add_article", "articles.view_article")
    new = tmp_path / "harbour.txt"
    new.write_bytes(b"Harbour reopens after the storm\n\nThe harbour reopened on Monday.\n")
    rewrite = tmp_path / "ferry.txt"
    rewrite.write_bytes(PUBLISHED.replace(b"The published text.", b"Rewritten by a reporter."))

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    sign_in(context, live_server.url, reporter)
    page = context.new_page()
    page.goto(live_server.url + "/admin/articles/article/upload/")
    assert page.locator("input[name='publish']").count() == 0
    page.set_input_files("input[name='files']", [str(new), str(rewrite)])
    page.get_by_label("Update the story with the same headline").check()
    page.get_by_role("button", name="Upload").click()
    page.locator("#upload-results").wait_for()
    assert "1 created, 0 updated, 0 unchanged, 1 refused" in " ".join(
        page.locator(".upload-summary").inner_text().split()
    )
    refused = page.locator("tr.outcome-refused")
    assert "“Ferry timetable changes” is published" in refused.inner_text()
    assert "Harbour reopens after the storm" in page.locator("tr.outcome-created").inner_text()

    page.goto(live_server.url + f"/admin/articles/article/{stored.article_id}/change/")
    assert page.locator("input[name='_save']").count() == 0 and page.locator("select[name='status']").count() == 0
    context.close()

    ferry = Article.objects.get(id=stored.article_id)
    assert "Rewritten" not in ferry.body_text and ferry.status == "published"
    assert Article.objects.get(headline="Harbour reopens after the storm").created_by == reporter
