"""Text with markup-like characters, as the security probe sent it (F7, F9): a standfirst
reaches a feed reader as text, never as markup, and character references are decoded once
whether or not the field also holds a tag."""

import json
from html.parser import HTMLParser

import pytest
import requests
from defusedxml import ElementTree
from django.contrib.auth import get_user_model
from django.test import Client

from articles.models import Article
from articles.tests.uploads import upload

pytestmark = pytest.mark.django_db(transaction=True)

FEED_PROBE = {
    "id": "probe-feed-1",
    "headline": "Feedprobe headline about the harbour",
    "standfirst": "Feedprobe standfirst &lt;img src=x onerror=alert(61)&gt; <b>bold</b> &lt;script&gt;alert(62)&lt;/script&gt;",
    "body": "Feedprobe body paragraph about Jim Mattis.",
    "language": "en",
}
AMP_PROBE = {
    "id": "probe-amp-1",
    "headline": "Ampprobe Q&amp;A with AT&amp;T chief",
    "standfirst": "Ampprobe standfirst: R&amp;D spending &quot;rose&quot;",
    "body": "Ampprobe body: AT&amp;T and R&amp;D, &eacute;t&eacute;.",
}
BLOCKS_PROBE = {
    "id": "probe-amp-2",
    "headline": "Ampprobe blocks",
    "body": [{"type": "paragraph", "text": "Blocks: &lt;script&gt; stays text, AT&amp;T too."}],
}


@pytest.fixture
def editor():
    user = get_user_model().objects.create_superuser("probe-editor", "e@example.org", "a-long-password-1")
    client = Client()
    client.force_login(user)
    return client


def publish_json(editor, record: dict) -> None:
    response = upload(editor, (f"{record['id']}.json", json.dumps(record).encode()), publish=True)
    assert "1 created" in response.content.decode()


class TextOnly(HTMLParser):
    """What a feed reader that renders <description> as HTML makes of it: its elements and text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


def feed_items(url: str) -> dict[str, dict]:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    items = [{c.tag: c.text for c in item} for item in ElementTree.fromstring(response.content).iter("item")]
    return {item["title"]: item for item in items}


def test_a_feed_description_is_plain_text_for_a_reader_that_renders_html(live_server, editor):
    publish_json(editor, FEED_PROBE)
    item = feed_items(f"{live_server.url}/feeds/latest/")["Feedprobe headline about the harbour"]
    rendered = TextOnly()
    rendered.feed(item["description"])
    assert rendered.tags == []  # no <img>, <b> or <script> element in the reader
    assert rendered.text == "Feedprobe standfirst <img src=x onerror=alert(61)> bold <script>alert(62)</script>"
    raw = requests.get(f"{live_server.url}/feeds/latest/", timeout=30).text
    assert "&amp;lt;img src=x onerror=alert(61)&amp;gt;" in raw  # escaped for HTML, then for XML


def test_character_references_are_decoded_once_with_or_without_tags(live_server, editor):
    publish_json(editor, AMP_PROBE)
    publish_json(editor, BLOCKS_PROBE)
    article = Article.objects.get(external_id="probe-amp-1")
    assert article.headline == "Ampprobe Q&A with AT&T chief"
    assert article.slug == "ampprobe-qa-with-att-chief"
    assert article.standfirst == 'Ampprobe standfirst: R&D spending "rose"'
    assert article.body_text == "Ampprobe body: AT&T and R&D, été."
    blocks = Article.objects.get(external_id="probe-amp-2")
    assert blocks.body_text == "Blocks: <script> stays text, AT&T too."
    page = requests.get(f"{live_server.url}{article.get_absolute_url()}", timeout=30).text
    assert "Q&amp;A with AT&amp;T chief" in page and "&amp;amp;" not in page
    assert "Ampprobe Q&A with AT&T chief" in feed_items(f"{live_server.url}/feeds/latest/")
    blocks_page = requests.get(f"{live_server.url}{blocks.get_absolute_url()}", timeout=30).text
    assert "&lt;script&gt; stays text" in blocks_page and "&amp;lt;" not in blocks_page
