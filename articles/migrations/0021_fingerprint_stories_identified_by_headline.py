"""Stories stored before identity by content (decision 0016) were identified by their
headline (`wire-`, `h-`, `jsonl-` ids). Their baseline revision takes the fingerprint of the
text they hold, so that the same text uploaded again is recognised as the same document
("unchanged") instead of becoming a second story under the same headline."""

import hashlib
import json

from django.db import migrations

CHUNK = 1000


def fingerprint(article) -> str:
    # ParsedArticle.fingerprint() as of this migration, over the stored fields.
    content = [
        article.headline,
        article.standfirst,
        [[block.get("type", "paragraph"), block.get("text", "")] for block in article.body or []],
        article.byline,
        article.dateline,
        article.photo_caption,
        article.photo_credit,
        article.source_url,
        article.rights,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def fingerprint_baselines(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Revision = apps.get_model("articles", "Revision")
    articles = Article.objects.filter(
        external_id__regex=r"^(wire|h|jsonl)-", revisions__number=1, revisions__fingerprint=""
    ).only(
        "id",
        "headline",
        "standfirst",
        "body",
        "byline",
        "dateline",
        "photo_caption",
        "photo_credit",
        "source_url",
        "rights",
    )
    pending = []
    for article in articles.iterator(chunk_size=CHUNK):
        pending.append((article.id, fingerprint(article)))
        if len(pending) >= CHUNK:
            _store(Revision, pending)
            pending = []
    _store(Revision, pending)


def _store(Revision, pending: list[tuple[int, str]]) -> None:
    revisions = list(Revision.objects.filter(article_id__in=[a for a, _ in pending], number=1))
    by_article = dict(pending)
    for revision in revisions:
        revision.fingerprint = by_article[revision.article_id]
    Revision.objects.bulk_update(revisions, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_article_created_by"),
    ]

    operations = [
        migrations.RunPython(fingerprint_baselines, migrations.RunPython.noop, elidable=True),
    ]
