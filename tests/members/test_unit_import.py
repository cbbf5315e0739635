"""The day a city joins: units and liaisons of a region imported from the XLSX template."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members import imports
from members.models import Liaison, MemberUnit, User
from members.roles import Role
from tests.conftest import Cast, client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def sheet(*rows: list[str], example: bool = True) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(imports.COLUMNS)
    if example:
        ws.append(imports.EXAMPLE_ROW)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("units.xlsx", out.getvalue())


def row(name: str, region: str = "兰州市", username: str = "", kind: str = "政府部门", **extra: str) -> list[str]:
    person = extra.get("person", f"{name}联络员" if username else "")
    return [
        name,
        extra.get("short", ""),
        kind,
        region,
        extra.get("parent", ""),
        person,
        username,
        "",
        "",
        extra.get("ab", ""),
    ]


@pytest.fixture
def lanzhou_office(cast: Cast) -> User:
    unit = MemberUnit.objects.get(name="兰州市司法局")
    return User.objects.select_related("unit__region").get(pk=make_user(Role.OFFICE, unit, username="lz-office").pk)


def post(user: User, upload: SimpleUploadedFile) -> Any:
    return client_for(user).post(reverse("unit-import"), {"file": upload})


def test_template_download(cast: Cast, lanzhou_office: User) -> None:
    response = client_for(lanzhou_office).get(reverse("unit-import"), {"template": "1"})
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    assert ws is not None
    assert [c.value for c in ws[1]] == imports.COLUMNS


def test_import_happy_path_creates_units_and_liaisons(cast: Cast, lanzhou_office: User) -> None:
    upload = sheet(
        row("兰州市测试局", username="lz-a"),
        row("兰州市测试局分局", region="620123", parent="兰州市测试局", username="lz-b", ab="B"),
        row("兰州市无联络员局", region="城关区"),
    )
    response = post(lanzhou_office, upload)
    assert response.status_code == 200
    body = response.content.decode()
    assert "已导入 3 行" in body and "lz-a" in body and "lz-b" in body
    child = MemberUnit.objects.select_related("region", "parent").get(name="兰州市测试局分局")
    assert (child.region.name, child.level, child.parent.name) == ("榆中县", "county", "兰州市测试局")
    b = User.objects.get(username="lz-b")
    assert b.liaison.role == Liaison.Role.BACKUP and b.unit == child and b.has_usable_password()
    assert MemberUnit.objects.get(name="兰州市无联络员局").region.name == "城关区"  # type: ignore[union-attr]


def test_reimport_is_idempotent(cast: Cast, lanzhou_office: User) -> None:
    rows = [row("兰州市测试局", username="lz-a"), row("兰州市另一局", region="城关区")]
    post(lanzhou_office, sheet(*rows))
    units, users = MemberUnit.objects.count(), User.objects.count()
    body = post(lanzhou_office, sheet(*rows)).content.decode()
    assert "2 行均已存在,未重复导入" in body
    assert (MemberUnit.objects.count(), User.objects.count()) == (units, users)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (row("天水市测试局", region="天水市"), "不在您所在的区划"),
        (row("省测试局", region="甘肃省"), "不在您所在的区划"),
        (row("兰州市测试局", kind="外星机构"), "类别“外星机构”无效"),
        (row("兰州市法院", kind="人民法院"), "类别“人民法院”无效"),
        (row("兰州市测试局", region="火星"), "找不到区划“火星”"),
        (row("兰州市测试局", username="liaison"), "用户名“liaison”已被使用"),
        (row("兰州市测试局", username="x", person=""), "须同时填写姓名和用户名"),
        (row("兰州市测试局", ab="C"), "A/B角应为 A 或 B"),
        (row("兰州市测试局", parent="不存在的局"), "找不到上级单位"),
        (row("", region="兰州市"), "请填写单位名称"),
    ],
)
def test_a_wrong_row_saves_nothing(cast: Cast, lanzhou_office: User, bad: list[str], message: str) -> None:
    units, users = MemberUnit.objects.count(), User.objects.count()
    body = post(lanzhou_office, sheet(row("兰州市好局", username="lz-good"), bad)).content.decode()
    assert "第 4 行" in body and message in body
    assert (MemberUnit.objects.count(), User.objects.count()) == (units, users)


def test_duplicates_within_the_sheet(cast: Cast, lanzhou_office: User) -> None:
    body = post(
        lanzhou_office, sheet(row("兰州市甲局", username="dup"), row("兰州市乙局", username="dup"), row("兰州市甲局"))
    ).content.decode()
    assert "第 4 行" in body and "用户名“dup”在表中重复" in body
    assert "第 5 行" in body and "单位“兰州市甲局”在表中重复" in body
    assert not MemberUnit.objects.filter(name="兰州市甲局").exists()


def test_import_refused_to_liaisons_clerks_and_leaders(cast: Cast) -> None:
    for user in (cast.liaison, cast.clerk, cast.leader):
        assert client_for(user).get(reverse("unit-import")).status_code == 403
        assert post(user, sheet(row("兰州市测试局"))).status_code == 403
    assert not MemberUnit.objects.filter(name="兰州市测试局").exists()


def test_not_an_xlsx_is_refused(cast: Cast, lanzhou_office: User) -> None:
    body = post(lanzhou_office, SimpleUploadedFile("units.xlsx", b"%PDF-1.4 not a sheet")).content.decode()
    assert "未导入任何数据" in body


@pytest.mark.parametrize("rows", [2, 40])
def test_check_query_count_does_not_grow_per_row(
    cast: Cast, lanzhou_office: User, rows: int, django_assert_num_queries: Any
) -> None:
    upload = sheet(*[row(f"兰州市计数局{i}", region="城关区", username=f"count{i}") for i in range(rows)])
    # the office's roles; regions, the units named, the usernames named (the office's region is loaded with it)
    with django_assert_num_queries(4):
        result = imports.check(by=lanzhou_office, upload=upload)
    assert not result.errors and len(result.rows) == rows
