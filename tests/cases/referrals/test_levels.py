"""Case referrals by level (issue 13): where a referral lives, who reads it, who acts, alerts, the
人民法庭对接化解 kind.

Referrals, all sent: ``cg`` 城关区法院 → a 城关区 mediation body (lives in 城关区), ``qlh`` the same in
七里河区, ``lz`` 兰州中院 → a 兰州市 department (兰州市), ``jyg`` 嘉峪关中院 → a 嘉峪关市 department,
``prov`` 兰州中院 → a provincial department (the province).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import Referral
from cases.referrals import intake, services
from cases.referrals.alerts import referral_scan_alerts
from cases.referrals.selectors import visible_to
from members.models import MemberUnit, Notification, User
from tests.cases.referrals.support import draft, joined_days_ago, sent, sheet_row, xlsx
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
    tribunal_under,
    unit_at,
)

TZ = ZoneInfo("Asia/Shanghai")
API = "/api/v1/referrals/"
ALL = reverse("referral-all")
_n = {"n": 0}


def number() -> str:
    _n["n"] += 1
    return f"(2026)甘级调{_n['n']}号"


def send(by: User, receiver: MemberUnit, **kw) -> Referral:
    return sent(by, receiver, number=number(), **kw)


@dataclass
class Tree:
    refs: SimpleNamespace
    units: SimpleNamespace
    clerks: SimpleNamespace


@pytest.fixture
def tree(db) -> Tree:
    units = SimpleNamespace(
        cg=unit_at(CHENGGUAN, "城关区测试调委会", kind=MemberUnit.Kind.MEDIATION),
        qlh=unit_at(QILIHE, "七里河区测试调委会", kind=MemberUnit.Kind.MEDIATION),
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
    refs = SimpleNamespace(
        cg=send(clerks.cg, units.cg),
        qlh=send(clerks.qlh, units.qlh),
        lz=send(clerks.lz, units.lz),
        jyg=send(clerks.jyg, units.jyg),
        prov=send(clerks.lz, units.prov),
    )
    return Tree(refs=refs, units=units, clerks=clerks)


def seen(user: User, tree: Tree) -> set[str]:
    ids = set(visible_to(user).values_list("pk", flat=True))
    return {name for name, r in vars(tree.refs).items() if r.pk in ids}


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Where a referral lives ---------------------------------------------------------------------------


def test_a_new_referral_lands_in_the_smallest_region_holding_sender_and_receiver(tree):
    r = tree.refs
    assert (r.cg.region.code, r.cg.city.code) == (CHENGGUAN, LANZHOU)
    assert (r.lz.region.code, r.lz.city.code) == (LANZHOU, LANZHOU)
    assert (r.prov.region.code, r.prov.city) == (PROVINCE, None)
    county_to_city = send(tree.clerks.cg, tree.units.lz)
    assert (county_to_city.region.code, county_to_city.city.code) == (LANZHOU, LANZHOU)


def test_changing_the_receiver_of_a_draft_moves_the_referral(tree):
    r = draft(tree.clerks.cg, tree.units.cg, number=number())
    assert r.region.code == CHENGGUAN
    services.referral_update(referral=r, by=tree.clerks.cg, receiver=tree.units.jyg)
    r.refresh_from_db()
    assert (r.region.code, r.city_id) == (PROVINCE, None)


def test_imported_delegations_are_stamped(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = clerk_at(court_at(CHENGGUAN))
    joined_days_ago(clerk.unit, 365)
    unit_at(CHENGGUAN, "城关区导入调委会", kind=MemberUnit.Kind.MEDIATION)
    unit_at(LANZHOU, "兰州市导入调委会", kind=MemberUnit.Kind.MEDIATION)
    rows = [
        sheet_row("(2026)甘0102民诉前调1号", "城关区导入调委会"),
        sheet_row("(2026)甘0102民诉前调2号", "兰州市导入调委会"),
    ]
    data = xlsx(rows)

    imp, result = intake.referral_import_prepare(by=clerk, upload=SimpleUploadedFile("s.xlsx", data.getvalue()))
    assert result.ok, result
    intake.referral_import_queue(imp=imp, by=clerk)
    intake.referral_import_run(import_id=imp.pk)
    places = dict(Referral.objects.filter(sender=clerk.unit).values_list("case_number", "region__code"))
    assert places == {"(2026)甘0102民诉前调1号": CHENGGUAN, "(2026)甘0102民诉前调2号": LANZHOU}


# --- Who reads what ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (PROVINCE, {"cg", "qlh", "lz", "jyg", "prov"}),
        (LANZHOU, {"cg", "qlh", "lz"}),
        (CHENGGUAN, {"cg"}),
        (JIAYUGUAN, {"jyg"}),
    ],
)
def test_office_and_leader_read_their_region_and_below(tree, code, expected):
    assert seen(office_user_at(code), tree) == expected
    assert seen(leader_at(code), tree) == expected


def test_a_county_office_gets_404_for_another_countys_referral_on_every_path(tree):
    office = office_user_at(CHENGGUAN)
    other = tree.refs.qlh
    client = client_for(office)
    assert client.get(reverse("referral-detail", args=[other.pk])).status_code == 404
    assert api(office).get(f"{API}{other.pk}/").status_code == 404
    listed = {row["id"] for row in api(office).get(API).json()["results"]}
    assert listed == {tree.refs.cg.pk}
    page = client.get(ALL)
    assert page.status_code == 200
    assert [row.pk for row in page.context["listing"].object_list] == [tree.refs.cg.pk]
    sheet = load_workbook(io.BytesIO(client.get(reverse("referral-export-all")).content)).active
    cells = {cell for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row}
    assert tree.refs.cg.case_number in cells
    assert not {r.case_number for name, r in vars(tree.refs).items() if name != "cg"} & cells


def test_a_liaison_reads_the_referrals_of_their_unit_and_its_sub_units(tree):
    sub = unit_at(LANZHOU, "兰州市测试局下属中心", parent=tree.units.lz)
    to_sub = send(tree.clerks.lz, sub)
    liaison = liaison_at(tree.units.lz)
    ids = set(visible_to(liaison).values_list("pk", flat=True))
    assert ids == {tree.refs.lz.pk, to_sub.pk}
    assert services.allowed_actions(to_sub, liaison) == set()  # reads the sub-unit's, acts only for its own
    assert "acknowledge" in services.allowed_actions(tree.refs.lz, liaison)


def test_clerks_read_their_court_and_the_courts_below_but_not_their_drafts(tree):
    hidden = draft(tree.clerks.cg, tree.units.cg, number=number())
    assert seen(tree.clerks.lz, tree) == {"cg", "qlh", "lz", "prov"}
    assert not visible_to(tree.clerks.lz).filter(pk=hidden.pk).exists()
    assert seen(tree.clerks.cg, tree) == {"cg"}
    assert seen(tree.clerks.jyg, tree) == {"jyg"}
    assert seen(tree.clerks.high, tree) == {"cg", "qlh", "lz", "jyg", "prov"}


def test_an_intermediate_court_clerk_reads_a_basic_courts_referral_read_only(tree):
    r, clerk = tree.refs.cg, tree.clerks.lz
    assert services.allowed_actions(r, clerk) == set()
    assert client_for(clerk).get(reverse("referral-detail", args=[r.pk])).status_code == 200
    before = Referral.objects.filter(pk=r.pk).values("status", "sent_at", "acknowledged_at").get()
    client_for(clerk).post(reverse("referral-action", args=[r.pk, "revoke"]), {"reason": "越权"})
    assert api(clerk).post(f"{API}{r.pk}/revoke/", {"reason": "越权"}, format="json").status_code in (403, 409)
    assert Referral.objects.filter(pk=r.pk).values("status", "sent_at", "acknowledged_at").get() == before


def test_the_all_box_is_for_those_who_read_beyond_their_unit(tree):
    assert client_for(office_user_at(CHENGGUAN)).get(ALL).status_code == 200
    assert client_for(tree.clerks.lz).get(ALL).status_code == 200  # reads the courts below
    assert client_for(liaison_at(tree.units.jyg)).get(ALL).status_code == 404


# --- Filters and query counts ---------------------------------------------------------------------------


def test_region_and_level_filters_and_the_choices_in_reach(tree):
    province = api(office_user_at(PROVINCE))

    def names(**params):
        ids = {row["id"] for row in province.get(API, params).json()["results"]}
        return {name for name, r in vars(tree.refs).items() if r.pk in ids}

    assert names(region=region(LANZHOU).pk) == {"cg", "qlh", "lz"}
    assert names(region=region(QILIHE).pk) == {"qlh"}
    assert names(level="county") == {"cg", "qlh"}
    assert names(level="city") == {"lz", "jyg"}
    assert names(level="province") == {"prov"}
    county = api(office_user_at(CHENGGUAN))
    ids = {row["id"] for row in county.get(API, {"region": region(LANZHOU).pk}).json()["results"]}
    assert ids == {tree.refs.cg.pk}
    form = client_for(office_user_at(LANZHOU, username="lz2")).get(ALL).context["filters"]
    regions = {label.strip() for _v, label in form.fields["region"].widget.choices}
    assert {"兰州市", "城关区", "七里河区"} <= regions and not {"嘉峪关市", "甘肃省"} & regions
    counterparts = set(form.fields["counterpart"].widget.queryset.values_list("name", flat=True))
    assert "兰州市测试局" in counterparts and "嘉峪关市测试局" not in counterparts


def test_the_list_costs_the_same_queries_for_a_province_a_city_and_a_county_office(tree, django_assert_max_num_queries):
    counts = []
    for code in (PROVINCE, LANZHOU, CHENGGUAN):
        client = client_for(office_user_at(code))
        client.get(ALL)  # warm the session and the filter choices
        with django_assert_max_num_queries(14) as captured:
            assert client.get(ALL).status_code == 200
        counts.append(len(captured.captured_queries))
    assert len(set(counts)) == 1, counts


# --- Alerts ---------------------------------------------------------------------------------------------


def test_an_overdue_county_referral_reaches_the_county_office_not_the_provinces(db):
    offices = {code: office_user_at(code) for code in (PROVINCE, LANZHOU, CHENGGUAN)}
    clerk = clerk_at(court_at(CHENGGUAN))
    body = unit_at(CHENGGUAN, "城关区逾期调委会", kind=MemberUnit.Kind.MEDIATION)
    mediator = liaison_at(body)
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
        r = send(clerk, body)
        services.referral_acknowledge(referral=r, by=mediator)
    with time_machine.travel(datetime(2026, 5, 5, 10, tzinfo=TZ), tick=False):
        referral_scan_alerts()
    told = set(
        Notification.objects.filter(object_id=r.pk, event="referral_overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert offices[CHENGGUAN].username in told
    assert not {offices[PROVINCE].username, offices[LANZHOU].username} & told


def _told(referral, event):
    return set(
        Notification.objects.filter(object_id=referral.pk, event=event).values_list("recipient__username", flat=True)
    )


def test_a_long_overdue_referral_is_escalated_to_the_office_one_level_up_once(db):
    offices = {code: office_user_at(code) for code in (PROVINCE, LANZHOU, CHENGGUAN)}
    clerk = clerk_at(court_at(CHENGGUAN))
    body = unit_at(CHENGGUAN, "城关区升级督办调委会", kind=MemberUnit.Kind.MEDIATION)
    mediator = liaison_at(body)
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
        r = send(clerk, body)
        services.referral_acknowledge(referral=r, by=mediator)
    r.refresh_from_db()
    assert r.due is not None
    # Overdue, not yet 30 days: the county office hears of it, nobody is escalated to.
    with time_machine.travel(datetime.combine(r.due + timedelta(days=29), time(10), tzinfo=TZ), tick=False):
        referral_scan_alerts()
    assert offices[CHENGGUAN].username in _told(r, "referral_overdue")
    assert _told(r, "referral_escalated") == set()
    # 30 days overdue: the county office and the 兰州市 office above it, not the province; once however often.
    for _scan in range(2):
        with time_machine.travel(datetime.combine(r.due + timedelta(days=31), time(10), tzinfo=TZ), tick=False):
            referral_scan_alerts()
    assert _told(r, "referral_escalated") == {offices[CHENGGUAN].username, offices[LANZHOU].username}
    assert Notification.objects.filter(object_id=r.pk, event="referral_escalated").count() == 2


def test_a_provincial_referral_escalates_to_the_provincial_office_alone(db):
    office = office_user_at(PROVINCE)
    clerk = clerk_at(court_at(PROVINCE))
    department = unit_at(PROVINCE, "省测试厅升级督办")
    liaison = liaison_at(department)
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
        r = send(clerk, department)
        services.referral_acknowledge(referral=r, by=liaison)
    r.refresh_from_db()
    with time_machine.travel(datetime.combine(r.due + timedelta(days=31), time(10), tzinfo=TZ), tick=False):
        referral_scan_alerts()
    assert _told(r, "referral_escalated") == {office.username}


# --- 人民法庭对接化解 ----------------------------------------------------------------------------------


def test_tribunal_mediation_end_to_end(db):
    basic = court_at(CHENGGUAN)
    tribunal = tribunal_under(basic, "城关区人民法院测试人民法庭")
    clerk = clerk_at(tribunal)
    street = unit_at(CHENGGUAN, "测试街道人民调解委员会", kind=MemberUnit.Kind.MEDIATION)
    mediator = liaison_at(street)
    r = sent(clerk, street, code="tribunal_mediation", number=number())
    assert (r.kind.name, r.status, r.region.code) == ("人民法庭对接化解", "sent", CHENGGUAN)
    assert r.kind.answer_days == 30 and set(r.kind.outcomes) == {"resolved", "failed", "withdrawn"}
    services.referral_acknowledge(referral=r, by=mediator)
    assert r.due is not None
    services.referral_accept(referral=r, by=mediator)
    services.referral_conclude(referral=r, by=mediator, outcome="resolved", note="达成调解协议")
    r.refresh_from_db()
    assert (r.status, r.outcome) == ("concluded", "resolved")
    # The basic court above the tribunal reads it; its own clerk acts for nothing on it.
    basic_clerk = clerk_at(basic)
    assert visible_to(basic_clerk).filter(pk=r.pk).exists()


def test_tribunal_mediation_only_from_a_tribunal_or_basic_court_to_a_mediation_body(db):
    street = unit_at(CHENGGUAN, "测试社区调解委员会", kind=MemberUnit.Kind.MEDIATION)
    department = unit_at(CHENGGUAN, "城关区测试局")
    with pytest.raises(ValidationError):
        draft(clerk_at(court_at(LANZHOU)), street, code="tribunal_mediation", number=number())
    with pytest.raises(ValidationError):
        draft(clerk_at(court_at(CHENGGUAN)), department, code="tribunal_mediation", number=number())
    assert not Referral.objects.filter(kind__code="tribunal_mediation").exists()


# --- The counterpart filter: a searchable picker, never the whole directory (issue 19) -----------------


def _counterpart_select(html: str) -> str:
    start = html.index('name="counterpart"')
    return html[start : html.index("</select>", start)]


def test_the_counterpart_filter_renders_only_the_chosen_unit_and_still_filters(tree):
    office = client_for(office_user_at(PROVINCE))
    plain = _counterpart_select(office.get(ALL).content.decode())
    assert plain.count("<option") == 1  # the blank "all" option only, whatever the directory holds
    assert 'data-unit-picker="single"' in plain and 'data-search-url="/units/search/"' in plain
    page = office.get(ALL, {"counterpart": tree.units.lz.pk})
    chosen = _counterpart_select(page.content.decode())
    assert chosen.count("<option") == 2 and f'value="{tree.units.lz.pk}" selected>兰州市测试局<' in chosen
    assert [r.pk for r in page.context["listing"].object_list] == [tree.refs.lz.pk]


def test_a_city_office_picks_counterparts_within_its_city_only(tree):
    office = client_for(office_user_at(LANZHOU, username="lz3"))
    own = _counterpart_select(office.get(ALL).content.decode())
    assert f'data-search-url="/units/search/?region={region(LANZHOU).pk}"' in own
    found = {row["text"] for row in office.get("/units/search/", {"region": region(LANZHOU).pk}).json()["results"]}
    assert "兰州市测试局" in found and "嘉峪关市测试局" not in found
    # A unit outside the city is not offered, and filtering on it shows none of what the office may not see.
    outside = office.get(ALL, {"counterpart": tree.units.jyg.pk})
    assert outside.status_code == 200 and "嘉峪关市测试局" not in _counterpart_select(outside.content.decode())
    assert list(outside.context["listing"].object_list) == []
