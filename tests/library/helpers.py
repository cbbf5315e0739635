"""The library's test world: offices, liaisons, courts at the province, 兰州市 (城关区, 七里河区) and 嘉峪关市."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from library import services
from library.models import LibraryDocument
from members.models import MemberUnit, User
from tests.levels import (
    CHENGGUAN,
    JIAYUGUAN,
    LANZHOU,
    PROVINCE,
    QILIHE,
    clerk_at,
    court_at,
    liaison_at,
    office_user_at,
    unit_at,
)


@dataclass
class World:
    province_office: User
    city_office: User  # 兰州市
    county_office: User  # 城关区
    province_liaison: User
    city_liaison: User  # a 兰州市 department
    county_liaison: User  # a 城关区 department
    qilihe_liaison: User  # a 七里河区 department
    jyg_liaison: User  # a 嘉峪关市 department
    city_clerk: User  # 兰州中院
    city_unit: MemberUnit
    county_unit: MemberUnit
    qilihe_unit: MemberUnit
    jyg_unit: MemberUnit


def make_world() -> World:
    province_unit = unit_at(PROVINCE, "省测试厅")
    city_unit = unit_at(LANZHOU, "兰州市测试局")
    county_unit = unit_at(CHENGGUAN, "城关区测试局")
    qilihe_unit = unit_at(QILIHE, "七里河区测试局")
    jyg_unit = unit_at(JIAYUGUAN, "嘉峪关市测试局")
    return World(
        province_office=office_user_at(PROVINCE),
        city_office=office_user_at(LANZHOU),
        county_office=office_user_at(CHENGGUAN),
        province_liaison=liaison_at(province_unit),
        city_liaison=liaison_at(city_unit),
        county_liaison=liaison_at(county_unit),
        qilihe_liaison=liaison_at(qilihe_unit),
        jyg_liaison=liaison_at(jyg_unit),
        city_clerk=clerk_at(court_at(LANZHOU)),
        city_unit=city_unit,
        county_unit=county_unit,
        qilihe_unit=qilihe_unit,
        jyg_unit=jyg_unit,
    )


def fields(**overrides: Any) -> dict[str, Any]:
    base = {
        "type": LibraryDocument.Type.NORMATIVE,
        "title": "关于规范行政执法的意见",
        "number": "甘司发〔2026〕1号",
        "issuing_unit": "",
        "issued_on": date(2026, 3, 2),
        "case_number": "",
        "court": "",
        "text": "府院联动机制下的行政执法规范。",
    }
    return base | overrides


def draft(by: User, *, audience: dict[str, Any] | None = None, **overrides: Any) -> LibraryDocument:
    return services.document_create(by=by, fields=fields(**overrides), audience=audience or {"kind": "all"})


def published(by: User, *, audience: dict[str, Any] | None = None, **overrides: Any) -> LibraryDocument:
    return services.document_publish(document=draft(by, audience=audience, **overrides), by=by)
