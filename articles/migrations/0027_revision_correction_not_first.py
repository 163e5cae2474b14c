"""A correction is never an article's first revision (the article as created): so an article
never revised has none, and a page of them reads none (articles.selectors.attach_corrections)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0026_article_sample_bucket"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="revision",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_correction", False), ("number__gte", 2), _connector="OR"),
                name="revision_correction_not_first",
            ),
        ),
    ]
