"""How the partner API's OpenAPI schema is generated: drf-spectacular's, with the API's page
types named and empty query values allowed (REST_FRAMEWORK and SPECTACULAR_SETTINGS name these).

A module of its own: drf-spectacular imports the schema class as soon as a view is decorated,
so it must not import the views' modules."""

from drf_spectacular.openapi import AutoSchema


class PartnerAPISchema(AutoSchema):
    """Names the type of a list's page `<name>Page`: the view's `page_name`, else the name of
    the type of its results (ArticlePage, PersonPage)."""

    def get_paginated_name(self, serializer_name: str) -> str:
        return f"{getattr(self.view, 'page_name', serializer_name)}Page"


def allow_empty_query_values(result, generator, request, public):
    """Post-processing hook: every query parameter of the API takes an empty value as absent
    (`?q=&page_size=` is the plain list), so the schema says so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    parameter["allowEmptyValue"] = True
    return result
