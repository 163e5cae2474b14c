"""Publication times within the years every page can read: the form validator and the CHECK constraint."""

import datetime

from django.db import migrations, models

import articles.models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_repair_publication_times"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Publication time (a future time embargoes).",
                null=True,
                validators=[articles.models.validate_publication_time],
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("published_at__isnull", True),
                    models.Q(
                        ("published_at__gte", datetime.datetime(1600, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("published_at__lt", datetime.datetime(2200, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="article_publication_time_in_range",
                violation_error_message="The publication time must lie between the years 1600 and 2199 (UTC).",
            ),
        ),
    ]
