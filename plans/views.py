"""Pages of the work plan. Placeholder routes for the base commit; the pages stream replaces them."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
