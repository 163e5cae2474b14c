"""Middleware the whole site shares."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse

# The admin's date hierarchy (?published_at__year=2024&…__month=5&…__day=31) builds a
# date from these: Django catches a ValueError but not the OverflowError of a huge number.
_DATE_PARTS = ("__year", "__month", "__day")


class AdminParameterMiddleware:
    """Refuse, with a 400 naming it, an admin query-string parameter holding a NUL byte, or a
    date-hierarchy part that is not a number of at most four digits.

    The admin's lists, filters and autocomplete pass parameters to PostgreSQL as they come,
    and PostgreSQL refuses a NUL in text ("A string literal cannot contain NUL"), which
    Django reports as a 500 (security probe, F10). The reader pages and the API check their
    own parameters and name them in their own error shapes, so only the admin is covered here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(reverse("admin:index")):
            for name, values in request.GET.lists():
                shown = name.replace("\x00", "\\0")
                if "\x00" in name or any("\x00" in value for value in values):
                    return _refused(f"The parameter “{shown}” holds a NUL byte, which no admin page accepts.")
                if name.endswith(_DATE_PARTS) and not all(v.isascii() and v.isdigit() and len(v) <= 4 for v in values):
                    return _refused(f"The parameter “{shown}” must be a year, month or day written in digits.")
        return self.get_response(request)


def _refused(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
