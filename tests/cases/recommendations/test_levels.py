"""Judicial recommendations by level (issue 13): where a record lives, who reads it, who acts, alerts.

The real tree: 城关区 and 七里河区 are counties of 兰州市; 嘉峪关市 is another 市州. Records:
``cg`` 城关区法院 → 城关区 department (lives in 城关区), ``qlh`` the same in 七里河区, ``lz`` 兰州中院 →
兰州市 department (兰州市), ``jyg`` 嘉峪关中院 → 嘉峪关市 department (嘉峪关市), ``prov`` 兰州中院 → a
provincial department (the province).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import JudicialRecommendation, RecommendationPolicy
from cases.recommendations import followup, services
from cases.recommendations.selectors import visible_to
from cases.tasks import scan_recommendation_alerts
from members.models import MemberUnit, Notification, User
from tests.conftest import client_for
from tests.levels import (
    CHENGGUAN,
    JIAYUGUAN,
    LANZHOU,
    PROVINCE,
    QILIHE,
    clerk_at,
    court_at,
    leader_at,
    liaison_at,
    office_user_at,
    region,
    unit_at,
)

TZ = ZoneInfo("Asia/Shanghai")
API = "/api/v1/recommendations/"
LIST = reverse("recommendation-list")

_n = {"n": 0}


def issue(clerk: User, addressee: MemberUnit, *, issued: datetime | None = None) -> JudicialRecommendation:
    """A recommendation of the clerk's court, issued (these courts issue without 核稿签发: their policy)."""
    RecommendationPolicy.objects.get_or_create(court_id=clerk.unit_id, defaults={"approval_required": False})
    _n["n"] += 1
    rec = services.recommendation_create(
        by=clerk,
        title=f"级别测试司法建议{_n['n']}",
        addressee=addressee,
        number=f"(2025)级建字第{_n['n']}号",
        case_number="(2025)甘01行初1号",
        problem="问题",
        recommendation="建议",
    )
    if issued is None:
        return services.recommendation_issue(recommendation=rec, by=clerk)
    with time_machine.travel(issued, tick=False):
        return services.recommendation_issue(recommendation=rec, by=clerk)


@dataclass
class Tree:
    recs: SimpleNamespace
    units: SimpleNamespace
    clerks: SimpleNamespace


@pytest.fixture
def tree(db) -> Tree:
    units = SimpleNamespace(
        cg=unit_at(CHENGGUAN, "城关区测试局"),
        qlh=unit_at(QILIHE, "七里河区测试局"),
        lz=unit_at(LANZHOU, "兰州市测试局"),
        jyg=unit_at(JIAYUGUAN, "嘉峪关市测试局"),
        prov=unit_at(PROVINCE, "省测试厅"),
    )
    clerks = SimpleNamespace(
        cg=clerk_at(court_at(CHENGGUAN)),
        qlh=clerk_at(court_at(QILIHE)),
        lz=clerk_at(court_at(LANZHOU)),
        jyg=clerk_at(court_at(JIAYUGUAN)),
        high=clerk_at(court_at(PROVINCE)),
    )
    recs = SimpleNamespace(
        cg=issue(clerks.cg, units.cg),
        qlh=issue(clerks.qlh, units.qlh),
        lz=issue(clerks.lz, units.lz),
        jyg=issue(clerks.jyg, units.jyg),
        prov=issue(clerks.lz, units.prov),
    )
    return Tree(recs=recs, units=units, clerks=clerks)


def seen(user: User, tree: Tree) -> set[str]:
    ids = set(visible_to(user).values_list("pk", flat=True))
    return {name for name, rec in vars(tree.recs).items() if rec.pk in ids}


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Where a record lives ---------------------------------------------------------------------------


def test_a_new_record_lands_in_the_smallest_region_holding_its_court_and_addressee(tree):
    r = tree.recs
    assert (r.cg.region.code, r.cg.city.code) == (CHENGGUAN, LANZHOU)  # same county
    assert (r.lz.region.code, r.lz.city.code) == (LANZHOU, LANZHOU)
    assert (r.prov.region.code, r.prov.city) == (PROVINCE, None)  # 市州 court → provincial department
    county_to_city = issue(tree.clerks.cg, tree.units.lz)
    assert (county_to_city.region.code, county_to_city.city.code) == (LANZHOU, LANZHOU)


def test_changing_the_addressee_of_a_draft_moves_the_record(tree):
    rec = services.recommendation_create(by=tree.clerks.cg, title="草稿", addressee=tree.units.cg)
    assert rec.region.code == CHENGGUAN
    services.recommendation_update(recommendation=rec, by=tree.clerks.cg, changes={"addressee": tree.units.prov})
    rec.refresh_from_db()
    assert (rec.region.code, rec.city_id) == (PROVINCE, None)


# --- Who reads what ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (PROVINCE, {"cg", "qlh", "lz", "jyg", "prov"}),
        (LANZHOU, {"cg", "qlh", "lz"}),  # its region and below, not the sibling 市州 nor the province
        (CHENGGUAN, {"cg"}),  # not the sibling county, not its parent 市州
        (JIAYUGUAN, {"jyg"}),
    ],
)
def test_office_and_leader_read_their_region_and_below(tree, code, expected):
    assert seen(office_user_at(code), tree) == expected
    assert seen(leader_at(code), tree) == expected


def test_a_county_office_gets_404_for_another_countys_record_on_every_path(tree):
    office = office_user_at(CHENGGUAN)
    other = tree.recs.qlh
    client = client_for(office)
    assert client.get(reverse("recommendation-detail", args=[other.pk])).status_code == 404
    assert api(office).get(f"{API}{other.pk}/").status_code == 404
    listed = {row["id"] for row in api(office).get(API).json()["results"]}
    assert listed == {tree.recs.cg.pk}
    sheet = load_workbook(io.BytesIO(client.get(reverse("recommendation-export")).content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {tree.recs.cg.number}


def test_a_liaison_reads_what_was_issued_to_their_unit_or_a_sub_unit(tree):
    sub = unit_at(LANZHOU, "兰州市测试局下属中心", parent=tree.units.lz)
    to_sub = issue(tree.clerks.lz, sub)
    liaison = liaison_at(tree.units.lz)
    ids = set(visible_to(liaison).values_list("pk", flat=True))
    assert ids == {tree.recs.lz.pk, to_sub.pk}
    # Reading a sub-unit's record is not acting for it: only the sub-unit's liaisons acknowledge.
    assert services.allowed_actions(to_sub, liaison) == set()
    assert services.allowed_actions(tree.recs.lz, liaison) == {"acknowledge"}


def test_clerks_read_their_court_and_the_issued_records_of_the_courts_below(tree):
    draft = services.recommendation_create(by=tree.clerks.cg, title="城关草稿", addressee=tree.units.cg)
    assert seen(tree.clerks.lz, tree) == {"cg", "qlh", "lz", "prov"}
    assert draft.pk not in set(visible_to(tree.clerks.lz).values_list("pk", flat=True))  # a court below's draft
    assert seen(tree.clerks.cg, tree) == {"cg"}  # not the sibling court's, not the court above's
    assert seen(tree.clerks.jyg, tree) == {"jyg"}
    assert seen(tree.clerks.high, tree) == {"cg", "qlh", "lz", "jyg", "prov"}


def test_an_intermediate_court_clerk_reads_a_basic_courts_record_read_only(tree):
    rec, clerk = tree.recs.cg, tree.clerks.lz
    assert services.allowed_actions(rec, clerk) == set()
    page = client_for(clerk).get(reverse("recommendation-detail", args=[rec.pk]))
    assert page.status_code == 200
    before = JudicialRecommendation.objects.filter(pk=rec.pk).values("status", "withdrawn_at", "updated_at").get()
    client_for(clerk).post(reverse("recommendation-action", args=[rec.pk, "withdraw"]), {"reason": "越权"})
    assert api(clerk).post(f"{API}{rec.pk}/withdraw/", {"reason": "越权"}, format="json").status_code == 403
    after = JudicialRecommendation.objects.filter(pk=rec.pk).values("status", "withdrawn_at", "updated_at").get()
    assert after == before
    assert services.allowed_actions(rec, tree.clerks.cg) >= {"withdraw"}  # the issuing court still may


def test_an_office_reminds_only_the_records_of_its_region(tree):
    lanzhou, chengguan = office_user_at(LANZHOU), office_user_at(CHENGGUAN)
    assert "remind" in services.allowed_actions(tree.recs.cg, lanzhou)
    assert "remind" in services.allowed_actions(tree.recs.cg, chengguan)
    assert "remind" not in services.allowed_actions(tree.recs.lz, chengguan)
    assert api(chengguan).post(f"{API}{tree.recs.lz.pk}/remind/").status_code == 404
    with pytest.raises(services.NotPermitted):
        services.recommendation_remind(recommendation=tree.recs.jyg, by=lanzhou)
    assert JudicialRecommendation.objects.get(pk=tree.recs.jyg.pk).reminders_sent == 0


# --- Filters -------------------------------------------------------------------------------------------


def test_region_and_level_filters_on_the_api_and_the_region_choices_in_reach(tree):
    province = api(office_user_at(PROVINCE))

    def names(**params):
        ids = {row["id"] for row in province.get(API, params).json()["results"]}
        return {name for name, rec in vars(tree.recs).items() if rec.pk in ids}

    assert names(region=region(LANZHOU).pk) == {"cg", "qlh", "lz"}
    assert names(region=region(CHENGGUAN).pk) == {"cg"}
    assert names(level="county") == {"cg", "qlh"}
    assert names(level="city") == {"lz", "jyg"}
    assert names(level="province") == {"prov"}
    assert names(level="nonsense") == set(vars(tree.recs))
    # A county office asking for a wider region still gets only its own records.
    chengguan = api(office_user_at(CHENGGUAN))
    ids = {row["id"] for row in chengguan.get(API, {"region": region(LANZHOU).pk}).json()["results"]}
    assert ids == {tree.recs.cg.pk}
    page = client_for(office_user_at(LANZHOU, username="lz2")).get(LIST)
    choices = {label.strip() for _value, label in page.context["filters"].fields["region"].widget.choices}
    assert "七里河区" in choices and "兰州市" in choices
    assert "嘉峪关市" not in choices and "甘肃省" not in choices


def test_the_list_costs_the_same_queries_for_a_province_a_city_and_a_county_office(tree, django_assert_max_num_queries):
    counts = []
    for code in (PROVINCE, LANZHOU, CHENGGUAN):
        client = client_for(office_user_at(code))
        client.get(LIST)  # warm the session
        with django_assert_max_num_queries(12) as captured:
            assert client.get(LIST).status_code == 200
        counts.append(len(captured.captured_queries))
    assert len(set(counts)) == 1, counts


# --- Alerts at the right level --------------------------------------------------------------------------


def _overdue_and_escalate(rec: JudicialRecommendation, liaison: User) -> None:
    with time_machine.travel(datetime(2025, 3, 10, 10, tzinfo=TZ), tick=False):
        services.recommendation_acknowledge(recommendation=rec, by=liaison)
    for day in (11, 12):  # overdue 11 May; escalation 30 days after the due date, 9 June
        with time_machine.travel(datetime(2025, 5, day, 10, tzinfo=TZ), tick=False):
            scan_recommendation_alerts()
    with time_machine.travel(datetime(2025, 6, 10, 10, tzinfo=TZ), tick=False):
        scan_recommendation_alerts()


def _notified(rec: JudicialRecommendation, stage: str) -> set[str]:
    return set(
        Notification.objects.filter(object_id=rec.pk, stage=stage, event__startswith="recommendation.").values_list(
            "recipient__username", flat=True
        )
    )


def test_a_county_records_overdue_notice_reaches_the_county_office_and_escalation_the_city_office(db):
    offices = {code: office_user_at(code) for code in (PROVINCE, LANZHOU, CHENGGUAN, QILIHE)}
    unit = unit_at(CHENGGUAN, "城关区逾期测试局")
    rec = issue(clerk_at(court_at(CHENGGUAN)), unit, issued=datetime(2025, 3, 3, 10, tzinfo=TZ))
    _overdue_and_escalate(rec, liaison_at(unit))
    overdue, escalated = _notified(rec, "overdue"), _notified(rec, "escalated")
    assert offices[CHENGGUAN].username in overdue
    assert not {offices[PROVINCE].username, offices[LANZHOU].username, offices[QILIHE].username} & overdue
    assert {offices[CHENGGUAN].username, offices[LANZHOU].username} <= escalated
    assert offices[PROVINCE].username not in escalated


def test_a_provincial_records_escalation_has_no_level_above(db):
    offices = {code: office_user_at(code) for code in (PROVINCE, LANZHOU)}
    unit = unit_at(PROVINCE, "省逾期测试厅")
    rec = issue(clerk_at(court_at(LANZHOU)), unit, issued=datetime(2025, 3, 3, 10, tzinfo=TZ))
    assert rec.region.code == PROVINCE
    _overdue_and_escalate(rec, liaison_at(unit))
    escalated = _notified(rec, "escalated")
    assert offices[PROVINCE].username in escalated
    assert offices[LANZHOU].username not in escalated


def test_a_county_without_an_office_account_is_followed_up_by_the_city_office(db):
    lanzhou = office_user_at(LANZHOU)
    province = office_user_at(PROVINCE)
    unit = unit_at(QILIHE, "七里河区逾期测试局")
    rec = issue(clerk_at(court_at(QILIHE)), unit, issued=datetime(2025, 3, 3, 10, tzinfo=TZ))
    _overdue_and_escalate(rec, liaison_at(unit))
    assert lanzhou.username in _notified(rec, "overdue")
    assert {lanzhou.username, province.username} <= _notified(rec, "escalated")


# --- The follow-through at each level (issue 17) ------------------------------------------------------


def _adopted_and_not_rectified(rec: JudicialRecommendation, liaison: User, clerk: User) -> None:
    with time_machine.travel(datetime(2025, 3, 10, 10, tzinfo=TZ), tick=False):
        services.recommendation_acknowledge(recommendation=rec, by=liaison)
        services.recommendation_reply(
            recommendation=rec,
            by=liaison,
            outcome="adopted",
            content="采纳",
            measures="修订制度",
            rectification_due=date(2025, 4, 30),
        )
    scan_at = datetime(2025, 5, 1, 9, tzinfo=TZ)
    with time_machine.travel(scan_at, tick=False):
        scan_recommendation_alerts()
    with time_machine.travel(datetime(2025, 5, 8, 10, tzinfo=TZ), tick=False):
        followup.recommendation_visit(recommendation=rec, by=clerk, result="not_rectified", note="制度未修订。")


@pytest.mark.parametrize(("code", "office_code"), [(CHENGGUAN, CHENGGUAN), (LANZHOU, LANZHOU), (PROVINCE, PROVINCE)])
def test_rectification_overdue_and_not_rectified_reach_the_office_of_the_records_level(db, code, office_code):
    offices = {c: office_user_at(c) for c in (PROVINCE, LANZHOU, CHENGGUAN)}
    supervisor = unit_at(code, "主管测试厅")
    unit = unit_at(code, "整改测试局")
    unit.supervisor = supervisor
    unit.save()
    supervisor_liaison = liaison_at(supervisor)
    clerk = clerk_at(court_at(code if code != PROVINCE else LANZHOU))
    rec = issue(clerk, unit, issued=datetime(2025, 3, 3, 10, tzinfo=TZ))
    assert rec.region.code == code
    _adopted_and_not_rectified(rec, liaison_at(unit), clerk)
    others = {o.username for c, o in offices.items() if c != office_code}
    assert offices[office_code].username in _notified(rec, "rectification_overdue")
    assert not others & _notified(rec, "rectification_overdue")
    told = _notified(rec, "not_rectified")
    assert {offices[office_code].username, supervisor_liaison.username} <= told and not others & told
    assert visible_to(supervisor_liaison).filter(pk=rec.pk).exists()
