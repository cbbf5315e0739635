"""The demo at every level (``manage.py load_demo``): accounts of the province, of 兰州市 and of 城关区, and
records spread over those levels, each with its place (``region``/``city``) as ``members.levels`` has it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cases.models import JudicialRecommendation, Referral
from meetings.models import Consultation, Decision, Meeting
from members import levels
from members.models import MemberUnit, Region, User
from members.roles import Role, has_role
from tests.conftest import ensure_organisation

DEMO = "【演示】"


@pytest.fixture
def demo(db: None) -> str:
    ensure_organisation()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _records() -> dict[str, list[object]]:
    return {
        "recommendation": list(JudicialRecommendation.objects.filter(title__startswith=DEMO).select_related("region")),
        "referral": list(Referral.objects.filter(subject__startswith=DEMO).select_related("region")),
        "meeting": list(Meeting.objects.filter(title__startswith=DEMO).select_related("region")),
        "decision": list(Decision.objects.filter(text__startswith=DEMO).select_related("region")),
        "consultation": list(Consultation.objects.filter(topic__startswith=DEMO).select_related("region")),
    }


def test_demo_has_an_office_leader_and_clerk_at_each_level(demo: str) -> None:
    city, county = Region.objects.get(name="兰州市"), Region.objects.get(name="城关区")
    expected = {
        "office1": (Role.OFFICE, "province"),
        "office2": (Role.OFFICE, city),
        "leader2": (Role.LEADER, city),
        "liaison6": (Role.LIAISON, city),
        "office3": (Role.OFFICE, county),
        "clerk3": (Role.COURT_CLERK, county),
        "liaison4": (Role.LIAISON, county),
        "liaison5": (Role.LIAISON, county),
    }
    users = {u.username: u for u in User.objects.filter(username__in=expected).select_related("unit__region")}
    assert set(users) == set(expected)
    for username, (role, region) in expected.items():
        user = users[username]
        assert has_role(user, role), username
        assert user.unit is not None and user.unit.region is not None
        if region == "province":
            assert user.unit.region.level == Region.Level.PROVINCE
        else:
            assert user.unit.region == region, username
        line = next(line for line in demo.splitlines() if f" {username} " in line)
        assert user.unit.name in line  # the password table names each account's unit
    assert users["office2"].unit.hosts_office and users["office3"].unit.hosts_office
    assert users["clerk3"].unit.court_level == MemberUnit.CourtLevel.BASIC
    assert users["liaison5"].unit.kind == MemberUnit.Kind.MEDIATION
    # Not provincial: these offices do not read everything, they read their region (members.levels).
    assert not levels.reads_everything(users["office2"]) and not levels.reads_everything(users["office3"])
    assert levels.reach_of(users["office3"]).region == county


def test_demo_records_live_at_every_level_with_their_place(demo: str) -> None:
    records = _records()
    for kind, rows in records.items():
        assert rows, kind
        for record in rows:
            region = record.region  # type: ignore[attr-defined]
            assert region is not None, (kind, record)
            assert record.city_id == region.city_id, (kind, record)  # type: ignore[attr-defined]
    for kind in ("recommendation", "meeting", "consultation"):
        found = {r.region.level for r in records[kind]}  # type: ignore[attr-defined]
        assert found == {"province", "city", "county"}, (kind, found)
    assert {r.region.level for r in records["referral"]} >= {"province", "county"}  # type: ignore[attr-defined]
    assert {r.region.level for r in records["decision"]} >= {"province", "county"}  # type: ignore[attr-defined]


def test_demo_records_are_placed_as_common_region_has_it(demo: str) -> None:
    """Each record lives in the smallest region holding its parties: the rule, not a typed-in region."""
    for rec in JudicialRecommendation.objects.filter(title__startswith=DEMO).select_related(
        "court__region", "addressee__region"
    ):
        assert rec.region == levels.common_region(rec.court.region, rec.addressee.region)
    for ref in Referral.objects.filter(subject__startswith=DEMO).select_related("sender__region", "receiver__region"):
        assert ref.region == levels.common_region(ref.sender.region, ref.receiver.region)
    county_rec = JudicialRecommendation.objects.get(number="(2026)甘0102法建字第1号")
    city_rec = JudicialRecommendation.objects.get(number="(2026)甘01法建字第2号")
    assert county_rec.region.name == "城关区" and city_rec.region.name == "兰州市"  # type: ignore[union-attr]


def test_each_levels_region_holds_its_records_and_not_the_others(demo: str) -> None:
    """What the 兰州市 and 城关区 offices' region (members.levels.region_q) holds of the demo."""
    city, county = Region.objects.get(name="兰州市"), Region.objects.get(name="城关区")
    recs = JudicialRecommendation.objects.filter(title__startswith=DEMO)
    in_county = set(recs.filter(levels.region_q(county)).values_list("number", flat=True))
    in_city = set(recs.filter(levels.region_q(city)).values_list("number", flat=True))
    assert in_county == {"(2026)甘0102法建字第1号"}
    assert in_city == {"(2026)甘0102法建字第1号", "(2026)甘01法建字第2号"}
    assert recs.filter(levels.region_q(None)).count() == recs.count() > len(in_city)
    meetings = Meeting.objects.filter(title__startswith=DEMO)
    assert set(meetings.filter(levels.region_q(county)).values_list("title", flat=True)) == {
        "【演示】城关区府院联动专题会议"
    }
    assert set(meetings.filter(levels.region_q(city)).values_list("title", flat=True)) == {
        "【演示】城关区府院联动专题会议",
        "【演示】兰州市府院联席会议",
    }


def test_load_demo_twice_adds_no_unit_account_or_record(demo: str) -> None:
    counts = {m: m.objects.count() for m in (MemberUnit, User, JudicialRecommendation, Referral, Meeting, Decision)}
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert {m: m.objects.count() for m in counts} == counts
    assert "nothing loaded" in out.getvalue()


def test_demo_has_the_years_work_plans_with_progress_a_supervision_and_an_item_to_accept(demo: str) -> None:
    from django.utils import timezone

    from plans.home import plan_todo
    from plans.models import Plan, PlanItem, PlanProgress, Supervision

    year = timezone.localdate().year
    plans = {p.region.name: p for p in Plan.objects.filter(year=year).select_related("region")}
    assert len(plans) == 2 and "兰州市" in plans  # the province's and 兰州市's
    assert all(p.status == Plan.Status.PUBLISHED for p in plans.values())
    province = next(p for p in plans.values() if p.region.parent_id is None)
    items = PlanItem.objects.filter(plan=province)
    assert items.count() >= 10 and items.values("task").distinct().count() >= 5
    assert all(i.due.year == year for i in PlanItem.objects.all())
    assert items.filter(status=PlanItem.Status.DONE).count() == 1
    assert PlanProgress.objects.filter(item__plan=province).count() >= 3
    sup = Supervision.objects.get(status=Supervision.Status.OPEN)
    assert sup.item.lead_unit.short_name == "省市场监管局"
    office1, liaison3 = User.objects.get(username="office1"), User.objects.get(username="liaison3")
    assert [i.pk for i in plan_todo(office1)["to_accept"]] == [items.get(status=PlanItem.Status.DONE).pk]
    assert [s.pk for s in plan_todo(liaison3)["open_supervisions"]] == [sup.pk]


def test_demo_has_a_signer_and_recommendations_in_every_stage_of_follow_through(demo: str) -> None:
    """Issue 17: the High Court's signer (court_clerk+签发 in the password table) and its recommendations awaiting
    approval, approved, delivered on paper, rectifying (one overdue), rectified, visited not rectified, recurring."""
    from cases.recommendations.approval import signers

    signer = User.objects.get(username="signer1")
    assert has_role(signer, Role.COURT_CLERK) and signer.has_perm("cases.sign_recommendation")
    assert list(signers(signer.unit_id)) == [signer]  # clerk1 submits, signer1 signs
    line = next(line for line in demo.splitlines() if " signer1 " in line)
    assert "court_clerk+签发" in line and signer.unit.name in line
    recs = JudicialRecommendation.objects.filter(title__startswith=DEMO, court=signer.unit)
    by_status = {s: list(recs.filter(status=s)) for s in JudicialRecommendation.Status.values}
    for status in ("draft", "submitted", "approved", "acknowledged", "rectifying", "rectified", "visited", "issued"):
        assert by_status[status], status
    assert recs.filter(delivery="paper", delivered_on__isnull=False).count() == 1
    rectifying = by_status["rectifying"]
    assert [r.rectification_overdue() for r in rectifying].count(True) == 1 and len(rectifying) >= 2
    assert [r.visit_result for r in by_status["visited"]] == ["not_rectified"]
    recurring = [r for r in recs if r.recurrence_of.exists()]
    assert len(recurring) == 1 and recurring[0].status == "issued"
    approved_ones = recs.exclude(status__in=["draft", "submitted"])
    assert all(r.approved_by_id == signer.pk for r in approved_ones)  # the High Court's policy asks for approval
