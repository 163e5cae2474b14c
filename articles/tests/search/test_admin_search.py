"""The admin's article search reads a query as the search engine does."""

from django.urls import reverse

from articles.tests.factories import ArticleFactory

CHANGELIST = reverse("admin:articles_article_changelist")


def found(admin_client, q: str) -> set[str]:
    response = admin_client.get(CHANGELIST, {"q": q})
    assert response.status_code == 200
    return {article.headline for article in response.context["cl"].result_list}


def test_admin_search_takes_the_engine_s_readings_prefixes_and_exclusions(admin_client):
    ArticleFactory(headline="Les élections municipales", paragraphs=["Le maire est réélu."], language="fr")
    ArticleFactory(headline="Football club wins the cup", paragraphs=["The minister watched the final."])
    ArticleFactory(headline="Zeppelin over the city", paragraphs=["An airship."], language="de", status="draft")
    assert found(admin_client, "elections") == {"Les élections municipales"}
    assert found(admin_client, "zeppelin") == {"Zeppelin over the city"}  # simple reading, drafts too
    assert found(admin_client, "minist*") == {"Football club wins the cup"}
    assert found(admin_client, "minister -football") == set()
    assert found(admin_client, '"wins the cup"') == {"Football club wins the cup"}
    assert len(found(admin_client, "")) == 3


def test_a_query_with_nothing_to_find_shows_why_and_no_articles(admin_client):
    ArticleFactory(headline="Football club wins the cup", paragraphs=["The final."])
    response = admin_client.get(CHANGELIST, {"q": "ab*"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert "Prefix searches need at least 3 letters" in response.content.decode()
