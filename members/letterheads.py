"""Which 版头 a unit's official documents carry: its :class:`~members.models.Letterhead` when set and active,
otherwise one derived from its name, so that every office, court and agency at every level gets a document
without work in the admin.

- The unit hosting a level's linkage office (``hosts_office``, the 司法厅/司法局) writes as the office:
  "甘肃省府院联动工作领导小组办公室文件", 机关代字 "甘肃府院办", signed "甘肃省府院联动工作领导小组办公室".
- Any other unit (a court, a department) writes under its own name: mark and signature = the unit's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fuyuan.lib.errors import NotPermitted
from members.models import Letterhead, MemberUnit, Region, User

OFFICE = "府院联动工作领导小组办公室"
SUFFIXES = re.compile(r"(省|市|自治州|州|地区|盟|自治县|县|区|旗)$")
SEPARATORS = re.compile(r"[、，,;；\s]+")


@dataclass(frozen=True)
class Head:
    """What a document takes from its issuing unit."""

    issuer_mark: str
    number_prefix: str
    signature: str
    printed_by: str
    copy_to: tuple[str, ...]


def short_place(name: str) -> str:
    """甘肃省 → 甘肃, 兰州市 → 兰州, 临夏回族自治州 → 临夏回族 (for a 机关代字)."""
    return SUFFIXES.sub("", name) or name


def default_head(unit: MemberUnit, region: Region | None = None) -> Head:
    region = region if region is not None else unit.region
    if unit.hosts_office and region is not None:
        office = f"{region.name}{OFFICE}"
        return Head(f"{office}文件", f"{short_place(region.name)}府院办", office, office, ())
    prefix = unit.short_name or unit.name
    return Head(unit.name, prefix, unit.name, unit.name, ())


def head_of(unit: MemberUnit) -> Head:
    """The unit's 版头: its letterhead when active, else the default. ``unit.letterhead`` may be prefetched
    (``select_related("…__letterhead")``); otherwise this costs one query."""
    try:
        letterhead: Letterhead | None = unit.letterhead
    except Letterhead.DoesNotExist:
        letterhead = None
    if letterhead is None or not letterhead.active:
        return default_head(unit)
    copy_to = tuple(name for name in SEPARATORS.split(letterhead.copy_to) if name)
    return Head(
        letterhead.issuer_mark,
        letterhead.number_prefix or default_head(unit).number_prefix,
        letterhead.signature,
        letterhead.printed_by or letterhead.signature,
        copy_to,
    )


def office_unit(region_id: int | None) -> MemberUnit | None:
    """The unit hosting the linkage office of a region (its 司法厅/司法局), with its letterhead. One query."""
    if region_id is None:
        return None
    return (
        MemberUnit.objects.filter(region_id=region_id, hosts_office=True, active=True)
        .select_related("region", "letterhead")
        .order_by("order", "id")
        .first()
    )


LETTERHEAD_FIELDS = ("issuer_mark", "number_prefix", "signature", "printed_by", "copy_to", "active")


@transaction.atomic
def letterhead_save(
    *,
    by: User,
    unit: MemberUnit,
    issuer_mark: str,
    signature: str,
    number_prefix: str = "",
    printed_by: str = "",
    copy_to: str = "",
    active: bool = True,
) -> Letterhead:
    """Create or change a unit's letterhead (the admin's form and inline call this)."""
    if not (by.is_superuser or by.has_perm("members.change_letterhead") or by.has_perm("members.add_letterhead")):
        raise NotPermitted(_("只有管理员可以设置公文版头。"))
    values = {
        "issuer_mark": issuer_mark.strip(),
        "number_prefix": number_prefix.strip(),
        "signature": signature.strip(),
        "printed_by": printed_by.strip(),
        "copy_to": copy_to.strip(),
        "active": active,
    }
    errors = {name: [_("请填写此项。")] for name in ("issuer_mark", "signature") if not values[name]}
    if errors:
        raise ValidationError(errors)
    letterhead = Letterhead.objects.select_for_update().filter(unit=unit).first() or Letterhead(unit=unit)
    for name, value in values.items():
        setattr(letterhead, name, value)
    letterhead.save()
    return letterhead
