"""Query parameters from outside the site: ids are plain ASCII digits, and no parameter carries a NUL.

``str.isdigit()`` is true for ``"²"`` and other Unicode digits that ``int()`` refuses, and PostgreSQL
refuses a NUL character in any string: both used to turn a hostile query string into a server error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, JsonResponse

_ID = re.compile(r"[0-9]+")


def is_id(value: Any) -> bool:
    """Whether ``value`` is an id as a query string spells it: ASCII digits only."""
    return value is not None and _ID.fullmatch(str(value)) is not None


def as_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if is_id(text) else None


class RejectNullCharactersMiddleware:
    """400 for a query string with a NUL character (``?search=%00``), before any view reads it.

    The API answers ``{"param": ["message"]}`` as for any invalid input; pages answer Django's 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = sorted({key for key, values in request.GET.lists() for text in [key, *values] if "\x00" in text})
        if bad:
            message = str(ProhibitNullCharactersValidator.message)
            if request.path.startswith("/api/"):
                return JsonResponse({key.replace("\x00", ""): [message] for key in bad}, status=400)
            raise BadRequest(message)
        return self.get_response(request)
