"""Deleting articles (the admin's delete, a bulk delete) keeps entity counts and co-mention
lists true: the entities an article mentioned are noted before it goes, refreshed after."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from articles.models import Article
from entities.models import Mention
from entities.services import refresh_article_counts


@receiver(pre_delete, sender=Article, dispatch_uid="entities_note_mentioned_before_delete")
def note_mentioned_entities(sender, instance: Article, **kwargs) -> None:
    instance._mentioned_entity_ids = list(
        Mention.objects.filter(article_id=instance.pk).values_list("entity_id", flat=True).distinct()
    )


@receiver(post_delete, sender=Article, dispatch_uid="entities_refresh_after_delete")
def refresh_after_delete(sender, instance: Article, **kwargs) -> None:
    refresh_article_counts(getattr(instance, "_mentioned_entity_ids", []))
