"""Staff accounts for the permission and role tests, and the admin forms they post."""

import json

from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from articles.models import Article


def staff_user(username: str, *perms: str, groups: tuple[str, ...] = ()) -> User:
    """A staff member holding exactly the permissions ("app.codename") and groups given."""
    user = User.objects.create_user(username, f"{username}@example.org", is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def article_form(article: Article, **changes) -> dict:
    """The admin change form of an article as the page would post it, with `changes`."""
    published = timezone.localtime(article.published_at) if article.published_at else None
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": json.dumps(article.body),
        "byline": article.byline,
        "dateline": article.dateline,
        "source": article.source_id or "",
        "section": article.section_id or "",
        "language": article.language,
        "photo_caption": article.photo_caption,
        "photo_credit": article.photo_credit,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d") if published else "",
        "published_at_1": published.strftime("%H:%M:%S") if published else "",
        "external_id": article.external_id,
        "version": article.version,
    }
    data.update(changes)
    return data
