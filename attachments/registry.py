"""Which records carry attachments, and the rules for each: declared by the domains, used here.

A domain registers each model in its ``AppConfig.ready``::

    registry.register(
        Referral,
        visible=selectors.visible_to,          # who may read the record, and so its files
        part_for=services.attachment_part,     # the part this user may attach now, or None
        parts={"agreement": _("调解协议"), ...},
        changed=None,                          # called in the transaction after files are added/removed
    )

so this app never imports a domain (dependencies point one way) and every rule stays with its record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    visible: Callable[[Any], QuerySet[Any]]
    part_for: Callable[[Any, Any], str | None]
    parts: Mapping[str, Any]
    changed: Callable[[Any], None] | None = None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


_KINDS: dict[str, Kind] = {}


def _key(model: type[Model]) -> str:
    return model._meta.label_lower


def register(
    model: type[Model],
    *,
    visible: Callable[[Any], QuerySet[Any]],
    part_for: Callable[[Any, Any], str | None],
    parts: Mapping[str, Any],
    changed: Callable[[Any], None] | None = None,
) -> None:
    _KINDS[_key(model)] = Kind(model=model, visible=visible, part_for=part_for, parts=parts, changed=changed)


def kind_of(model: type[Model]) -> Kind:
    """The registration of ``model`` (``LookupError`` when the model takes no attachments)."""
    try:
        return _KINDS[_key(model)]
    except KeyError:
        raise LookupError(f"{_key(model)} takes no attachments") from None


def kind_for_type(record_type_id: int) -> Kind | None:
    model = ContentType.objects.get_for_id(record_type_id).model_class()
    return _KINDS.get(_key(model)) if model is not None else None


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def part_label(record_type_id: int, part: str) -> str:
    kind = kind_for_type(record_type_id)
    label = kind.parts.get(part) if kind else None
    return str(label) if label is not None else (part or _("附件"))
