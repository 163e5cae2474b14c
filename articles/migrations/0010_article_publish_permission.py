from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_article_tagging_worker"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [("publish_article", "Can publish and unpublish articles")],
            },
        ),
    ]
