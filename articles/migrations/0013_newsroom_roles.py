"""The newsroom's roles as groups: Reporters, Editors, Curators (who may do what: docs/roles.md).

The permissions are written here, frozen, as a migration should be: a later change of a
role is a new migration, so every database follows the same history."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    # File stories (the upload page, or the add form) and read the archive; never publish,
    # never change another's story or a published one.
    "Reporters": [
        "articles.add_article",
        "articles.view_article",
        "articles.view_importbatch",
        "articles.view_section",
        "articles.view_source",
    ],
    # Change, publish, unpublish, delete and re-tag articles; keep sections and sources.
    "Editors": [
        "articles.add_article",
        "articles.change_article",
        "articles.delete_article",
        "articles.view_article",
        "articles.publish_article",
        "articles.view_importbatch",
        "articles.add_section",
        "articles.change_section",
        "articles.view_section",
        "articles.add_source",
        "articles.change_source",
        "articles.view_source",
        "entities.view_entity",
        "entities.view_alias",
        "entities.view_mention",
    ],
    # Look after the entity index: add, rename, give aliases, merge, reject.
    "Curators": [
        "articles.view_article",
        "entities.add_entity",
        "entities.change_entity",
        "entities.view_entity",
        "entities.add_alias",
        "entities.change_alias",
        "entities.delete_alias",
        "entities.view_alias",
        "entities.view_mention",
        "entities.view_entityredirect",
    ],
}


def create_roles(apps, schema_editor):
    # On a new database the permissions are only made after all migrations (post_migrate):
    # make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # historical apps have none
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_publication_time_range"),
        ("entities", "0005_article_entity_ids_triggers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
