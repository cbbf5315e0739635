"""Project-wide request guards."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from fuyuan.lib.errors import Busy


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class RejectNullCharacterMiddleware:
    """Answer 400 to a page request whose parameters hold a NUL character.

    No one types a NUL, and PostgreSQL refuses it in any string ("A string literal cannot contain
    NUL"), so a search or a form value carrying one would otherwise end in a server error wherever
    a view reads ``request.GET``/``request.POST`` without a Django form (which refuses it itself).
    The REST API (``/api/``) gets its JSON 400 for a NUL in the query string.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            # The API parses its own bodies (JSON); its query string is checked here, and the
            # answer is the API's usual shape for invalid input: {"param": ["message"]}.
            bad = sorted({key for key, values in request.GET.lists() for text in [key, *values] if "\x00" in text})
            if bad:
                message = str(ProhibitNullCharactersValidator.message)
                return JsonResponse({key.replace("\x00", ""): [message] for key in bad}, status=400)
        elif _has_nul(request.GET) or (request.method == "POST" and self._post_has_nul(request)):
            raise BadRequest("NUL character in the request parameters")
        return self.get_response(request)

    @staticmethod
    def _post_has_nul(request: HttpRequest) -> bool:
        try:
            return _has_nul(request.POST)
        except (MultiPartParserError, OSError):  # a broken body: the view (or Django) deals with it
            return False


class BusyMiddleware:
    """Answer 503 with ``Retry-After`` when a page needs something a longer job holds
    (:class:`~fuyuan.lib.errors.Busy`): the user is told to refresh in a moment instead of waiting on a held web
    thread. The REST API answers the same in its own shape (``fuyuan.lib.api.exception_handler``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Busy):
            return None
        context = {"message": exception.message, "retry_after": exception.retry_after}
        response = render(request, "503.html", context, status=503)
        response["Retry-After"] = str(exception.retry_after)
        return response
