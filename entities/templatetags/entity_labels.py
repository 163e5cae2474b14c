"""`{{ entity|label_in:lang }}`: the entity's name in the page's language."""

from django import template

from entities.models import Entity

register = template.Library()


@register.filter
def label_in(entity: Entity, language: str) -> str:
    return entity.label(language or "")
