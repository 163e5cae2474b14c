"""Import batches share the job states of tagging and import files (JobStatus): a batch
waiting for the worker is stored as "pending" rather than "queued" (and still shown as Queued)."""

from django.db import migrations, models


def queued_to_pending(apps, schema_editor):
    apps.get_model("articles", "ImportBatch").objects.filter(status="queued").update(status="pending")


def pending_to_queued(apps, schema_editor):
    apps.get_model("articles", "ImportBatch").objects.filter(status="pending").update(status="queued")


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_pairs")]

    operations = [
        migrations.AlterField(
            model_name="importbatch",
            name="status",
            field=models.CharField(
                choices=[("pending", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RunPython(queued_to_pending, pending_to_queued),
    ]
