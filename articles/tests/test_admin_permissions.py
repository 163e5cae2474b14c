"""Each admin action, the change form and the upload page check the permission that matches
what they do: "publish article" to publish or unpublish, "change article" to re-tag."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Article, JobStatus
from articles.tests.factories import ArticleFactory
from articles.tests.staff import article_form, staff_user
from articles.tests.uploads import UPLOAD_URL, upload

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
VIEW = "articles.view_article"
CHANGE = "articles.change_article"
PUBLISH = "articles.publish_article"


def offered_actions(client) -> set[str]:
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    form = page.context.get("action_form")
    return {value for value, _label in form.fields["action"].choices if value} if form else set()


def run_action(client, action: str, *articles: Article):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [a.id for a in articles], "index": 0})


@pytest.fixture
def draft() -> Article:
    return ArticleFactory(headline="Draft about the harbour", status=Article.Status.DRAFT)


@pytest.fixture
def published() -> Article:
    return ArticleFactory(headline="Published story about the harbour")


def as_user(client, *perms: str):
    client.force_login(staff_user("someone", *perms))
    return client


def test_view_only_staff_are_offered_no_action_and_posting_one_changes_nothing(client, draft, published, seed_bytes):
    as_user(client, VIEW)
    assert client.get(UPLOAD_URL).status_code == 403
    assert upload(client, ("seed.txt", seed_bytes)).status_code == 403
    assert offered_actions(client) == set()
    Article.objects.filter(id=published.id).update(tagging_status=JobStatus.DONE)
    run_action(client, "publish", draft)
    run_action(client, "unpublish", published)
    run_action(client, "retag", published)
    draft.refresh_from_db(), published.refresh_from_db()
    assert draft.status == "draft" and published.status == "published"
    assert published.tagging_status == JobStatus.DONE


def test_change_without_publish_may_retag_but_not_publish_or_unpublish(client, draft, published):
    as_user(client, VIEW, CHANGE)
    assert offered_actions(client) == {"retag"}
    refused = client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [draft.id], "index": 0}, follow=True
    ).content.decode()
    assert "No action selected" in refused
    run_action(client, "unpublish", published)
    draft.refresh_from_db(), published.refresh_from_db()
    assert draft.status == "draft" and published.status == "published"

    Article.objects.filter(id=draft.id).update(tagging_status=JobStatus.DONE)
    followed = client.post(
        CHANGELIST, {"action": "retag", "_selected_action": [draft.id], "index": 0}, follow=True
    ).content.decode()
    assert "1 article(s) queued for tagging" in followed
    draft.refresh_from_db()
    assert draft.tagging_status == JobStatus.PENDING


def test_publish_permission_publishes_and_unpublishes_through_the_actions(client, draft, published):
    as_user(client, VIEW, PUBLISH)
    assert offered_actions(client) == {"publish", "unpublish"}
    run_action(client, "publish", draft)
    run_action(client, "unpublish", published)
    draft.refresh_from_db(), published.refresh_from_db()
    assert draft.status == "published" and published.status == "draft"


def test_the_change_form_keeps_status_read_only_without_publish_permission(client, draft):
    as_user(client, VIEW, CHANGE)
    url = reverse("admin:articles_article_change", args=[draft.id])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode() and 'name="headline"' in page.content.decode()

    response = client.post(url, article_form(draft, headline="Draft about the harbour, corrected", status="published"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.headline == "Draft about the harbour, corrected" and draft.status == "draft"

    client.force_login(staff_user("editor", VIEW, CHANGE, PUBLISH))
    assert 'name="status"' in client.get(url).content.decode()
    assert client.post(url, article_form(draft, status="published")).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_a_published_story_is_read_only_without_publish_permission(client, published):
    as_user(client, VIEW, CHANGE, "articles.delete_article")
    url = reverse("admin:articles_article_change", args=[published.id])
    page = client.get(url)
    assert page.status_code == 200 and 'name="headline"' not in page.content.decode()
    assert client.post(url, article_form(published, headline="Rewritten", status="draft")).status_code == 403
    assert (
        client.post(reverse("admin:articles_article_delete", args=[published.id]), {"post": "yes"}).status_code == 403
    )
    published.refresh_from_db()
    assert published.headline == "Published story about the harbour" and published.status == "published"


def test_the_upload_page_offers_publish_only_to_those_who_may_publish(client, seed_bytes):
    as_user(client, "articles.add_article")
    page = client.get(UPLOAD_URL).content.decode()
    assert 'name="files"' in page and 'name="publish"' not in page

    refused = upload(client, ("seed.txt", seed_bytes), publish=True)
    assert refused.status_code == 400
    assert "You may not publish articles" in refused.content.decode()
    assert not Article.objects.exists()

    filed = upload(client, ("seed.txt", seed_bytes))
    assert filed.status_code == 200 and "1 created" in filed.content.decode()
    assert Article.objects.get().status == "draft"

    client.force_login(staff_user("editor", "articles.add_article", PUBLISH))
    assert 'name="publish"' in client.get(UPLOAD_URL).content.decode()
    assert "1 created" in upload(client, ("other.txt", b"Another story\n\nIts body."), publish=True).content.decode()
    assert Article.objects.get(headline="Another story").status == "published"


def test_a_reporter_files_a_draft_in_the_add_form_and_may_change_it_only_until_it_is_published(client):
    reporter = staff_user("reporter", "articles.add_article", VIEW)
    client.force_login(reporter)
    add = reverse("admin:articles_article_add")
    assert 'name="status"' not in client.get(add).content.decode()
    story = Article(headline="Pier closes for repairs", slug="pier-closes-for-repairs", body=[], language="en")
    assert client.post(add, article_form(story, status="published")).status_code == 302
    filed = Article.objects.get(headline="Pier closes for repairs")
    assert filed.status == "draft" and filed.created_by == reporter

    change = reverse("admin:articles_article_change", args=[filed.id])
    assert client.post(change, article_form(filed, standfirst="The pier shuts on Monday.")).status_code == 302
    filed.refresh_from_db()
    assert filed.standfirst == "The pier shuts on Monday."

    others = ArticleFactory(headline="Another reporter's draft", status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_change", args=[others.id])
    assert client.post(url, article_form(others, standfirst="Meddled.")).status_code == 403

    services.publish_articles(article_ids=[filed.id])
    filed.refresh_from_db()
    assert client.post(change, article_form(filed, standfirst="After publication.")).status_code == 403
    filed.refresh_from_db()
    others.refresh_from_db()
    assert filed.standfirst == "The pier shuts on Monday." and others.standfirst == ""
