"""Request types for views that only a signed-in platform user reaches.

``@login_required`` pages and the API's authenticated views see ``request.user`` as a
:class:`members.models.User`; annotating the request with these types says so to the type checker
(the objects are Django's and DRF's own requests: nothing changes at run time). Every app's views use
them, so they live here, beside the user model, not in fuyuan/lib (which imports no app).
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from members.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page request after ``@login_required`` (``htmx`` is set on every request by HtmxMiddleware)."""

    user: User
    htmx: HtmxDetails


class AuthenticatedRequest(Request):
    """An API request that passed an authenticated permission class."""

    user: User


__all__ = ["AuthenticatedHttpRequest", "AuthenticatedRequest", "signed_in_user"]


def signed_in_user(request: HttpRequest | Request) -> User:
    """The platform user behind a request that only signed-in users reach (the admin, permission hooks).

    For the hooks Django and DRF call with a plain request type (``ModelAdmin.has_change_permission``,
    ``BasePermission.has_object_permission``), where the signature cannot be narrowed.
    """
    user = request.user
    if not isinstance(user, User):
        raise TypeError("a signed-in platform user was expected")
    return user
