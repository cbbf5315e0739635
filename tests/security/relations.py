"""Every relation the API offers, found by walking the API's views (tests/security/test_relation_scope.py).

A relation is a serializer's related field (``PrimaryKeyRelatedField``, ``SlugRelatedField``, their ``many=True``
lists, at any depth of nesting, writable or read-only) or a FilterSet's model choice. Each one's target model
is either scoped (its feature's selectors module, ``<model module without .models>.selectors``, has a
``visible_to``) or in ``PUBLIC_DIRECTORY``; a relation to any other model fails the tests until it is classified.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.urls import URLPattern, URLResolver, reverse
from rest_framework import serializers

from cases.referrals.models import ReferralKind
from fuyuan import api_urls
from members.models import MemberUnit, Region, WorkTask

# The public directory: every signed-in user may read the units, the ten work tasks, the regions and the
# referral kinds, so a relation to them is not scoped. Where a service requires an active unit (a referral's
# receiver, the sub-unit it is forwarded to), the relation offers active units only (ACTIVE_ONLY).
PUBLIC_DIRECTORY: frozenset[type[Model]] = frozenset({MemberUnit, WorkTask, Region, ReferralKind})
ACTIVE_ONLY = {("ReferralSerializer", "receiver"), ("ForwardSerializer", "sub_unit"), ("OpinionSerializer", "court")}

Scope = Callable[[Any], QuerySet[Any]]


@dataclass(frozen=True)
class Relation:
    owner: str  # the serializer or FilterSet class
    name: str  # the field's name (dotted inside nested serializers)
    field: Any  # the related field (the child of a many=True list) or the filter
    model: type[Model]
    writable: bool
    many: bool = False
    list_url: str | None = None  # the API list the filter filters (FilterSets only)

    def __str__(self) -> str:
        return f"{self.owner}.{self.name} -> {self.model.__name__}"

    def choices(self, request: Any) -> QuerySet[Any]:
        """What the relation accepts (serializers) or offers (filters) for ``request.user``."""
        if isinstance(self.field, django_filters.Filter):
            return self.field.get_queryset(request)
        return self.field.get_queryset()


def scope_of(model: type[Model]) -> Scope | None:
    """The model's ``visible_to`` by the layout's convention, or None.

    A feature's ``visible_to`` is the scope of its main model only (``cases.referrals.selectors.visible_to``
    returns referrals, not referral kinds): the one found must return ``model``. Another model of the feature
    is scoped by ``<model name>s_visible_to`` (``plans.selectors.plans_visible_to``, ``supervisions_visible_to``).
    """
    module = model.__module__.removesuffix(".models") + ".selectors"
    try:
        selectors = importlib.import_module(module)
    except ModuleNotFoundError:
        return None
    # A feature with several models names the others' scopes after them (``plans_visible_to`` for Plan).
    for name in ("visible_to", f"{model._meta.model_name}s_visible_to"):
        visible_to = getattr(selectors, name, None)
        if visible_to is not None and visible_to(AnonymousUser()).model is model:
            return visible_to
    return None


def api_views() -> list[Any]:
    """Every view class of /api/v1/: the router's viewsets and the plain paths."""
    views = [viewset for _prefix, viewset, _basename in api_urls.router.registry]
    for pattern in api_urls.urlpatterns:
        if isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            views.append(pattern.callback.cls)
        elif not isinstance(pattern, URLResolver):
            raise AssertionError(f"an API path this walk does not know: {pattern}")
    return views


def _classes(module_name: str, base: type) -> list[type]:
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            return []
    return [
        cls
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, base) and cls.__module__ == module_name
    ]


def serializer_classes() -> list[type[serializers.BaseSerializer]]:
    """The views' serializers and every serializer of the views' modules (the actions' bodies too)."""
    found: dict[str, type] = {}
    for view in api_views():
        for cls in [getattr(view, "serializer_class", None), *_classes(view.__module__, serializers.BaseSerializer)]:
            if cls is not None:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def _target(serializer: Any, field: Any, source_field: Any) -> type[Model]:
    if getattr(field, "queryset", None) is not None:
        return field.get_queryset().model
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    assert model is not None, f"{type(serializer).__name__}: a read-only relation outside a ModelSerializer"
    return model._meta.get_field(source_field.source.split(".")[0]).related_model


def _walk(serializer: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any, Any]]:
    for name, field in serializer.fields.items():
        inner = field.child if isinstance(field, (serializers.ListSerializer, serializers.ListField)) else field
        if isinstance(inner, serializers.BaseSerializer):
            yield from _walk(inner, f"{prefix}{name}.")
        elif isinstance(field, serializers.ManyRelatedField):
            yield f"{prefix}{name}", serializer, field.child_relation, field
        elif isinstance(inner, serializers.RelatedField):
            yield f"{prefix}{name}", serializer, inner, field


def serializer_relations(request: Any) -> list[Relation]:
    found = []
    for cls in serializer_classes():
        root = cls(context={"request": request})
        for name, serializer, field, source_field in _walk(root):
            found.append(
                Relation(
                    owner=cls.__name__,
                    name=name,
                    field=field,
                    model=_target(serializer, field, source_field),
                    writable=not source_field.read_only,
                    many=isinstance(source_field, serializers.ManyRelatedField),
                )
            )
    return found


def filter_relations(request: Any) -> list[Relation]:
    """The model choices of the views' FilterSets and of every FilterSet of their features' modules."""
    lists = {viewset: reverse(f"api:{basename}-list") for _p, viewset, basename in api_urls.router.registry}
    found: dict[tuple[str, str], Relation] = {}
    for view in api_views():
        feature = view.__module__.rsplit(".", 1)[0]
        listed = getattr(view, "filterset_class", None)
        classes = [listed, *_classes(view.__module__, django_filters.FilterSet)]
        classes += _classes(f"{feature}.filters", django_filters.FilterSet)
        for cls in filter(None, classes):
            for name, flt in cls.base_filters.items():
                if not isinstance(flt, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)):
                    continue
                url = lists.get(view) if cls is listed else None
                if (cls.__name__, name) not in found or url is not None:
                    model = flt.get_queryset(request).model
                    found[(cls.__name__, name)] = Relation(cls.__name__, name, flt, model, False, list_url=url)
    return list(found.values())
