"""Re-key the stored names now that name_key folds letters Unicode does not decompose
("Jarosław" and "Jaroslaw" share the key "jaroslaw").

Entities, aliases and type votes whose key changes get the new one. Where two active entities
of one kind now share a key (both spellings were tagged apart), the one in more articles
keeps it and the other is merged into it as `merge_entities` would: mentions, aliases and
redirects move, its slug redirects, the log records the merge as the machine's. Two aliases
of one kind that now share a key keep the older; type votes of one article add up.

The fold is copied here (a migration must not change when models.py does).
"""

import unicodedata

from django.db import migrations
from django.db.models import Count, Q, Sum
from django.utils import timezone

FOLDS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "ŀ": "l",
        "ĸ": "k",
        "ŋ": "ng",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ƒ": "f",
    }
)
# Stored keys are already casefolded: only those holding one of these letters can change.
CHANGED = Q()
for _letter in FOLDS:
    CHANGED |= Q(key__contains=chr(_letter))


def fold(key: str) -> str:
    decomposed = unicodedata.normalize("NFKD", key.translate(FOLDS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in stripped).split())


def _merge(apps, survivor, duplicate) -> None:
    Entity = apps.get_model("entities", "Entity")
    Alias = apps.get_model("entities", "Alias")
    Mention = apps.get_model("entities", "Mention")
    EntityRedirect = apps.get_model("entities", "EntityRedirect")
    CurationEvent = apps.get_model("entities", "CurationEvent")
    Alias.objects.filter(entity=duplicate).update(entity=survivor)
    Mention.objects.filter(entity=duplicate).update(entity=survivor)
    EntityRedirect.objects.filter(entity=duplicate).update(entity=survivor)
    EntityRedirect.objects.get_or_create(kind=duplicate.kind, slug=duplicate.slug, defaults={"entity": survivor})
    Entity.objects.filter(merged_into=duplicate).update(merged_into=survivor)
    duplicate.status = "merged"
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["status", "merged_into"])
    CurationEvent.objects.create(
        entity=survivor,
        action="merged",
        at=timezone.now(),
        detail={"merged_ids": [duplicate.id], "merged_names": [duplicate.name], "reason": "name keys folded"},
    )


def rekey(apps, schema_editor):
    Entity = apps.get_model("entities", "Entity")
    Alias = apps.get_model("entities", "Alias")
    Mention = apps.get_model("entities", "Mention")
    TypeVote = apps.get_model("entities", "TypeVote")
    Article = apps.get_model("articles", "Article")

    for entity in Entity.objects.filter(CHANGED).order_by("id"):
        new = fold(entity.key)
        if new == entity.key:
            continue
        holder = Entity.objects.filter(kind=entity.kind, key=new).exclude(status="merged").exclude(id=entity.id).first()
        if holder is not None and entity.status != "merged":
            survivor, duplicate = sorted([holder, entity], key=lambda e: (-e.article_count, e.id))
            _merge(apps, survivor, duplicate)
            entity.refresh_from_db()
            if survivor.id == entity.id:
                entity.key = new
                entity.save(update_fields=["key"])
            # The merged one keeps its old key: merged rows are outside the unique index,
            # and resolution follows them to the survivor.
            published = Article.objects.filter(status="published", published_at__lte=timezone.now())
            count = (
                Mention.objects.filter(entity=survivor, article__in=published)
                .aggregate(n=Count("article_id", distinct=True))
                .get("n")
            )
            Entity.objects.filter(id=survivor.id).update(article_count=count or 0, curated=True)
            continue
        entity.key = new
        entity.save(update_fields=["key"])

    for alias in Alias.objects.filter(CHANGED).order_by("id"):
        new = fold(alias.key)
        if new == alias.key:
            continue
        if Alias.objects.filter(kind=alias.kind, key=new).exists():
            alias.delete()  # an older alias of that spelling already says it
            continue
        alias.key = new
        alias.save(update_fields=["key"])

    for vote in TypeVote.objects.filter(CHANGED).order_by("id"):
        new = fold(vote.key)
        same = TypeVote.objects.filter(article_id=vote.article_id, kind=vote.kind, key=new)
        if same.exists():
            same.update(mentions=same.aggregate(n=Sum("mentions"))["n"] + vote.mentions)
            vote.delete()
        else:
            vote.key = new
            vote.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("entities", "0012_curation_events_from_distinct_pairs"),
        ("articles", "0022_article_modified_order"),
    ]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False)]
