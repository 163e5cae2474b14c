"""Aliases record their provenance: the articles they were seen in, or an editor's word."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_import_options_and_identity_indexes"),
        ("entities", "0006_distinct_pairs"),
    ]

    operations = [
        migrations.AddField(
            model_name="alias",
            name="curated",
            field=models.BooleanField(
                default=False,
                help_text="Given by an editor (added, or an entity's former name after a rename): public whenever the entity is. Other aliases are public once a published article used them.",
            ),
        ),
        migrations.CreateModel(
            name="AliasSighting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "alias",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="sightings", to="entities.alias"
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="articles.article"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("alias", "article"), name="alias_sighting_unique")],
            },
        ),
    ]
