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
    members = MemberUnit.objects.filter(is_member_unit=True)
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
    assert courts.count() == 15
    high = courts.get(level=MemberUnit.Level.PROVINCE)
    assert high.name == "甘肃省高级人民法院"
    intermediate = courts.filter(level=MemberUnit.Level.CITY)
    assert intermediate.count() == 14
    assert set(intermediate.values_list("parent", flat=True)) == {high.pk}
    assert set(intermediate.values_list("region__name", flat=True)) == {name for name, _ in org_data.REGIONS}
    assert Region.objects.count() == 14


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
        list(MemberUnit.objects.order_by("pk").values()),
        list(WorkTask.objects.order_by("pk").values()),
        list(WorkTask.lead_units.through.objects.order_by("pk").values()),
    )
    org_data.load(Region, MemberUnit, WorkTask)
    after = (
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
