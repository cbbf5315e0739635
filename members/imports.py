"""The day a city joins: units and their liaisons of a region imported from one XLSX sheet.

Office staff (their region and below) and administrators download the template, fill one row per unit
(with its liaison, if any) and upload it. Every row is checked first (one query per lookup for the whole
sheet: regions, units, usernames), errors are shown row by row with their row numbers, and nothing is
saved if any row is wrong. A valid sheet is saved in one transaction through ``unit_save`` and
``user_save`` (so every rule of theirs holds); rows already imported (the unit exists in that region and
the liaison's account in that unit) are skipped, so importing the same sheet twice creates nothing.
New liaisons get a one-time password shown once, as when a liaison is added on a unit's page.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from fuyuan.lib.uploads import check_upload
from fuyuan.lib.xlsx import rows_response
from members import levels, services
from members.models import Liaison, MemberUnit, Region, User
from members.roles import Role

MAX_ROWS = 2000
COLUMNS = [
    "单位名称",
    "简称",
    "类别",
    "所在区划(名称或代码)",
    "上级单位",
    "联络员姓名",
    "用户名",
    "手机",
    "邮箱",
    "A/B角",
]
EXAMPLE_ROW = ["示例市示例局", "示例局", "政府部门", "兰州市", "", "张三", "zhangsan", "13800000000", "", "A"]
#: Courts are added on their court's page (a court level and a parent court are needed).
IMPORT_KINDS = {str(k.label): k.value for k in MemberUnit.Kind if k != MemberUnit.Kind.COURT}
LIAISON_ROLES = {
    "A": Liaison.Role.PRIMARY,
    "A角": Liaison.Role.PRIMARY,
    "B": Liaison.Role.BACKUP,
    "B角": Liaison.Role.BACKUP,
}


@dataclass
class Row:
    number: int
    name: str
    short_name: str
    kind: str
    region: Region
    parent: str
    person: str
    username: str
    phone: str
    email: str
    liaison_role: str
    unit_exists: bool = False
    user_exists: bool = False


@dataclass
class Check:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def new_rows(self) -> int:
        return sum(1 for r in self.rows if not (r.unit_exists and (r.user_exists or not r.username)))


def template_response() -> HttpResponse:
    return rows_response(sheet_title="成员单位", header=COLUMNS, rows=[EXAMPLE_ROW], filename="units-template.xlsx")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class Lookups:
    """What the rows name, read once for the whole sheet (three queries whatever its length)."""

    def __init__(self, rows: list[list[str]]) -> None:
        regions = list(Region.objects.all())
        self.regions = {r.name: r for r in regions} | {r.code: r for r in regions}
        names = {r[0] for r in rows} | {r[4] for r in rows if r[4]}
        self.units = {u.name: u for u in MemberUnit.objects.filter(name__in=names).select_related("region")}
        usernames = {r[6] for r in rows if r[6]}
        self.users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("unit")}


def _row_errors(by: User, cells: list[str], look: Lookups, seen: dict[str, set[str]]) -> tuple[list[str], Row | None]:
    name, short, kind_label, place, parent, person, username, phone, email, ab = cells
    errors: list[str] = []
    if not name:
        errors.append(_("请填写单位名称。"))
    kind = IMPORT_KINDS.get(kind_label)
    if kind is None:
        errors.append(_("类别“%(kind)s”无效,应为:%(kinds)s。") % {"kind": kind_label, "kinds": "、".join(IMPORT_KINDS)})
    region = look.regions.get(place)
    if region is None:
        errors.append(_("找不到区划“%(place)s”。") % {"place": place})
    elif not services.may_manage_unit(by=by, unit=MemberUnit(region=region)):
        errors.append(_("区划“%(place)s”不在您所在的区划(本级或下级)之内。") % {"place": place})
    existing = look.units.get(name)
    if existing is not None and region is not None and existing.region_id != region.pk:
        errors.append(_("单位“%(name)s”已存在于其他区划。") % {"name": name})
    if parent and parent not in look.units and parent not in seen["units"]:
        errors.append(_("找不到上级单位“%(parent)s”。") % {"parent": parent})
    if name in seen["units"]:
        errors.append(_("单位“%(name)s”在表中重复。") % {"name": name})
    role = LIAISON_ROLES.get(ab.upper() if ab else "A")
    if role is None:
        errors.append(_("A/B角应为 A 或 B。"))
    user_exists = _liaison_errors(errors, name=name, person=person, username=username, look=look, seen=seen)
    if errors or region is None or kind is None or role is None:
        return errors, None
    seen["units"].add(name)
    if username:
        seen["users"].add(username)
    row = Row(0, name, short, kind, region, parent, person, username, phone, email, role)
    row.unit_exists, row.user_exists = existing is not None, user_exists
    return [], row


def _liaison_errors(
    errors: list[str], *, name: str, person: str, username: str, look: Lookups, seen: dict[str, set[str]]
) -> bool:
    """Add the row's liaison errors; whether the liaison's account exists already (in this unit)."""
    if not (username or person):
        return False
    if not (username and person):
        errors.append(_("联络员须同时填写姓名和用户名。"))
    elif username in seen["users"]:
        errors.append(_("用户名“%(username)s”在表中重复。") % {"username": username})
    elif username in look.users:
        user = look.users[username]
        if user.unit is not None and user.unit.name == name:
            return True
        errors.append(_("用户名“%(username)s”已被使用。") % {"username": username})
    return False


def check(*, by: User, upload: Any) -> Check:
    """Read and check every row of the sheet; nothing is written."""
    result = Check()
    try:
        check_upload(upload, field="file", kinds=("xlsx",), refusal=_("请上传下载的模板(.xlsx 文件)。"))
    except ValidationError as error:
        result.errors.append((0, error.message_dict["file"]))
        return result
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the user's error
        result.errors.append((0, [_("无法读取文件,请使用下载的模板(.xlsx)。")]))
        return result
    try:
        ws = wb.worksheets[0]
        header = [_text(v) for v in next(ws.iter_rows(max_row=1, values_only=True), ())][: len(COLUMNS)]
        if header != COLUMNS:
            result.errors.append((1, [_("表头应为:%(cols)s。") % {"cols": "、".join(COLUMNS)}]))
            return result
        numbered = list(
            _data_rows(ws.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=len(COLUMNS), values_only=True))
        )
    finally:
        wb.close()
    if len(numbered) > MAX_ROWS:
        result.errors.append((0, [_("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS}]))
        return result
    look = Lookups([cells for _n, cells in numbered])
    seen: dict[str, set[str]] = {"units": set(), "users": set()}
    for number, cells in numbered:
        errors, row = _row_errors(by, cells, look, seen)
        if errors:
            result.errors.append((number, errors))
        elif row is not None:
            row.number = number
            result.rows.append(row)
    if not numbered:
        result.errors.append((0, [_("表格中没有数据行。")]))
    return result


def _data_rows(rows: Iterable[Sequence[Any]]) -> Iterable[tuple[int, list[str]]]:
    """(row number, cells) of the rows that carry data: blank rows and the template's example are skipped."""
    for number, values in enumerate(rows, start=2):
        cells = [_text(v) for v in values] + [""] * (len(COLUMNS) - len(values))
        if not any(cells) or cells == EXAMPLE_ROW:
            continue
        yield number, cells


@transaction.atomic
def run(*, by: User, result: Check) -> list[tuple[str, str, str]]:
    """Save a checked sheet: its new units and liaisons. Returns (unit, username, one-time password) of
    each new liaison. Any refusal of the services rolls the whole sheet back."""
    if result.errors:
        raise ValidationError(_("表格有错误,未导入。"))
    created: dict[str, MemberUnit] = {}
    passwords: list[tuple[str, str, str]] = []
    for row in result.rows:
        unit = MemberUnit.objects.filter(name=row.name).first()
        if unit is None:
            parent = (
                created.get(row.parent) or MemberUnit.objects.filter(name=row.parent).first() if row.parent else None
            )
            unit = services.unit_save(
                by=by,
                name=row.name,
                short_name=row.short_name,
                kind=row.kind,
                region=row.region,
                parent=parent,
                is_member_unit=True,
            )
            created[row.name] = unit
        if row.username and not row.user_exists:
            password = secrets.token_urlsafe(9)
            services.user_save(
                by=by,
                username=row.username,
                name=row.person,
                phone=row.phone,
                email=row.email,
                unit=unit,
                roles=[Role.LIAISON],
                liaison_role=row.liaison_role,
                password=password,
            )
            passwords.append((unit.name, row.username, password))
    return passwords


def may_import(user: User) -> bool:
    """Office staff (of any level: their region's units) and administrators."""
    everywhere, region = levels.manages_region(user)
    return everywhere or region is not None


def refuse_unless_may_import(user: User) -> None:
    if not may_import(user):
        raise PermissionDenied(_("只有领导小组办公室和系统管理员可以导入单位和联络员。"))
