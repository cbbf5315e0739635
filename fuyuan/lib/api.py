"""API glue shared by every app: the exception handler that maps service errors to HTTP, and the scoped relations.

Scope (DESIGN.md promise 4) reaches every relation of the API: a serializer's related field and a filter's
model choice list only what the request's user may see. The apps pass their scope in (a feature's
``selectors.visible_to``), this module imports no app:

    meeting = ScopedPrimaryKeyRelatedField(scope=meeting_selectors.visible_to, required=False, allow_null=True)
    meeting = scoped_choice_filter(meeting_selectors.visible_to)

An id outside the scope is then refused exactly as a missing one (the same status and body, bar the id), and
the browsable API's forms list no title the user may not read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any, TypeVar

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fuyuan.lib.errors import Busy, NotPermitted, TransitionNotAllowed

#: A scope: what a user may see of one model (``visible_to(user) -> QuerySet``).
Scope = Callable[[Any], QuerySet[Any]]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotPermitted):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Busy):
        busy = Response({"detail": exc.message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        busy["Retry-After"] = str(exc.retry_after)
        return busy
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)


def _scoped(scope: Scope, user: Any) -> QuerySet[Any]:
    """``scope(user)``; with no user (no request) nothing at all."""
    return scope(AnonymousUser()).none() if user is None else scope(user)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key relation whose choices are ``scope(request.user)`` (with ``many=True`` too).

    Its ``queryset`` (what DRF's checks and the schema generator read: the model) is the empty scope.
    """

    def __init__(self, *, scope: Scope, **kwargs: Any) -> None:
        self.scope = scope
        if not kwargs.get("read_only"):
            kwargs["queryset"] = _scoped(scope, None)
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        return _scoped(self.scope, getattr(request, "user", None))


def scoped_choice_filter(scope: Scope, **kwargs: Any) -> django_filters.ModelChoiceFilter:
    """A django-filter model choice whose choices are ``scope(request.user)``: an id outside the scope is
    "not one of the available choices", as a missing one is."""

    def choices(request: Any) -> QuerySet[Any]:
        return _scoped(scope, getattr(request, "user", None))

    return django_filters.ModelChoiceFilter(queryset=choices, **kwargs)


#: PostgreSQL refuses a time zone displacement of 16 hours or more (ISO 8601 allows up to 23:59).
MAX_UTC_OFFSET = timedelta(hours=16)


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time the database can compare: an offset under 16 hours, and a UTC time within years 1–9999.

    ``?starts_before=0168-09-07T04:06:21-23:08`` is a valid ISO 8601 value that made PostgreSQL fail (500); it is
    now a 400 like any other malformed date-time.
    """

    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is None or parsed.utcoffset() is None:
            return parsed
        try:
            parsed.astimezone(UTC)
        except OverflowError:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None
        if abs(parsed.utcoffset()) >= MAX_UTC_OFFSET:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


_M = TypeVar("_M", bound=Model)


class WriteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[_M],
):
    """GET, POST, PATCH (API.md lists no DELETE); lists page over ids first.

    Paging fetches the page's bare ids, then the page's rows with their joins and prefetches: at page 200
    the database would otherwise join (and throw away) 4,000 rows to reach the 20 it returns; paging the
    bare ids walks only the index. One more query, the same at any page. (An app's viewset declares
    ``request: AuthenticatedRequest``: this module imports no app.)
    """

    http_method_names = ["get", "post", "patch", "head", "options"]

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        ids = super().paginate_queryset(
            queryset.select_related(None).prefetch_related(None).values_list("pk", flat=True)
        )
        if ids is None:
            return None
        rows = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=list(ids))}
        return [rows[pk] for pk in ids if pk in rows]
