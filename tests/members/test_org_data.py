"""The data migration lays out the mechanism as DOMAIN.md describes it."""

import pytest

from members import org_data
from members.models import MemberUnit, Region, WorkTask

EXACT_TITLES = [
    "联动推进法治政府建设",
    "联动破解企业破产难题",
    "联动优化法治化营商环境",
    "联动建立金融司法协同机制",
    "联动保护生态环境",
    "联动促进创新驱动发展",
    "联动解决执行难问题",
    "联动推进纠纷多元化解",
    "联动化解信访案件",
    "联动落实普法责任",
]

pytestmark = pytest.mark.django_db


def test_twenty_two_member_units_including_the_seven_named() -> None:
    members = MemberUnit.objects.filter(is_member_unit=True, level=MemberUnit.Level.PROVINCE)
    assert members.count() == 22
    names = set(members.values_list("short_name", flat=True))
    for named in [
        "省信访局",
        "省发展改革委",
        "省司法厅",
        "省生态环境厅",
        "省市场监管局",
        "省税务局",
        "人行兰州中心支行",
    ]:
        assert named in names


def test_high_court_and_fourteen_intermediate_courts() -> None:
    courts = MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT)
    high = courts.get(court_level=MemberUnit.CourtLevel.HIGH)
    assert high.name == "甘肃省高级人民法院"
    assert high.region == Region.objects.get(level=Region.Level.PROVINCE)
    intermediate = courts.filter(court_level=MemberUnit.CourtLevel.INTERMEDIATE)
    assert intermediate.count() == 14
    assert set(intermediate.values_list("parent", flat=True)) == {high.pk}
    assert set(intermediate.values_list("region__name", flat=True)) == {name for name, _ in org_data.REGIONS}


def test_the_division_tree_is_the_province_its_14_cities_and_86_counties() -> None:
    assert Region.objects.filter(level=Region.Level.PROVINCE).get().code == "620000"
    cities = Region.objects.filter(level=Region.Level.CITY)
    assert cities.count() == 14
    assert set(cities.values_list("city", flat=True)) == set(cities.values_list("pk", flat=True))
    counties = Region.objects.filter(level=Region.Level.COUNTY).select_related("parent")
    assert counties.count() == 86
    for county in counties:
        assert county.parent.level == Region.Level.CITY
        assert county.city_id == county.parent_id
        assert county.code[:4] == county.parent.code[:4]
    assert Region.objects.get(code="620102").name == "城关区"
    assert Region.objects.get(code="620102").parent.name == "兰州市"


def test_one_basic_court_and_one_office_per_county_under_its_intermediate_court() -> None:
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    basic = MemberUnit.objects.filter(court_level=MemberUnit.CourtLevel.BASIC, region__level=Region.Level.COUNTY)
    assert basic.count() == 86
    assert set(basic.values_list("region", flat=True)) == set(counties.values_list("pk", flat=True))
    chengguan = basic.select_related("parent__region").get(region__code="620102")
    assert chengguan.name == "兰州市城关区人民法院"
    assert chengguan.parent.court_level == MemberUnit.CourtLevel.INTERMEDIATE
    assert chengguan.parent.region.name == "兰州市"
    assert basic.get(region__name="榆中县").name == "榆中县人民法院"
    # 嘉峪关市 has no county-level division: its basic court sits at the city.
    assert MemberUnit.objects.get(name="嘉峪关市城区人民法院").court_level == MemberUnit.CourtLevel.BASIC
    offices = MemberUnit.objects.filter(hosts_office=True)
    assert offices.filter(region__level=Region.Level.COUNTY).count() == 86
    assert offices.filter(region__level=Region.Level.CITY).count() == 14
    assert offices.get(region__level=Region.Level.PROVINCE).short_name == "省司法厅"
    assert offices.get(region__code="620102").name == "兰州市城关区司法局"


def test_ten_tasks_with_exact_titles_and_units() -> None:
    tasks = list(WorkTask.objects.prefetch_related("lead_units", "participating_units"))
    assert [t.number for t in tasks] == list(range(1, 11))
    assert [t.title for t in tasks] == EXACT_TITLES
    for task in tasks:
        assert task.description
        assert task.lead_units.exists()
        assert task.participating_units.exists()


def test_supervising_authority_defaults_to_the_government_office() -> None:
    office = MemberUnit.objects.get(short_name="省政府办公厅")
    assert MemberUnit.objects.get(short_name="省生态环境厅").supervisor == office
    assert office.supervisor is None


def test_loading_twice_changes_nothing() -> None:
    before = (
        list(Region.objects.order_by("pk").values()),
        list(MemberUnit.objects.order_by("pk").values()),
        list(WorkTask.objects.order_by("pk").values()),
        list(WorkTask.lead_units.through.objects.order_by("pk").values()),
    )
    org_data.load(Region, MemberUnit, WorkTask)
    org_data.load_levels(Region, MemberUnit)
    after = (
        list(Region.objects.order_by("pk").values()),
        list(MemberUnit.objects.order_by("pk").values()),
        list(WorkTask.objects.order_by("pk").values()),
        list(WorkTask.lead_units.through.objects.order_by("pk").values()),
    )
    assert before == after


def test_loading_keeps_an_administrators_edit() -> None:
    unit = MemberUnit.objects.get(short_name="省司法厅")
    unit.short_name = "司法厅"
    unit.save()
    org_data.load(Region, MemberUnit, WorkTask)
    assert MemberUnit.objects.get(pk=unit.pk).short_name == "司法厅"
