"""The search page behind the header's search box."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from members.types import AuthenticatedHttpRequest
from search import selectors


@login_required
@require_safe
def search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``/search/?q=``: every kind of record matching the term within the user's scope, grouped by kind."""
    term = selectors.clean_term(request.GET.get("q"))
    groups = selectors.search(user=request.user, term=term)
    context = {
        "term": term,
        "groups": groups,
        "found": [g for g in groups if g.count],
        "slow": [g for g in groups if g.timed_out],
        "total": sum(g.count for g in groups),
        "capped": any(g.capped for g in groups),
    }
    return render(request, "search/results.html", context)
