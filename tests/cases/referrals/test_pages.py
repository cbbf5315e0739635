"""The pages: both lists with filters and paging, the detail with its timeline, the forms, the home panel."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Party, Referral, ReferralKind
from cases.referrals import services
from tests.cases.referrals.support import ID, sent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _bulk(cast, n, *, offset=0, sender=None, receiver=None):
    kind = ReferralKind.objects.get(code="mediation")
    rows = Referral.objects.bulk_create(
        [
            Referral(
                kind=kind,
                sender=sender or cast.court,
                receiver=receiver or cast.unit,
                case_number=f"P-{offset + i}",
                subject="纠纷",
                status="sent",
            )
            for i in range(n)
        ]
    )
    Party.objects.bulk_create([Party(referral=r, name="王五", id_number=ID) for r in rows])


@pytest.mark.parametrize(("box", "who"), [("inbox", "liaison"), ("sent", "clerk"), ("all", "office")])
def test_list_query_count_does_not_grow_with_rows(cast, box, who):
    c = client_for(getattr(cast, who))
    _bulk(cast, 2)
    c.get(f"/referrals/{box}/")
    with CaptureQueriesContext(connection) as small:
        assert c.get(f"/referrals/{box}/").status_code == 200
    _bulk(cast, 45, offset=100)
    with CaptureQueriesContext(connection) as big:
        resp = c.get(f"/referrals/{box}/?page=2")
    assert resp.status_code == 200
    assert resp.content.decode().count('data-testid="referral-row"') == 20
    assert len(big) == len(small) <= 12, [q["sql"] for q in big.captured_queries]


def test_lists_show_the_right_side(cast):
    sent(cast.clerk, cast.unit, number="IN-1")
    sent(cast.liaison, cast.other_unit, number="OUT-1", code="petition")
    c = client_for(cast.liaison)
    inbox = c.get("/referrals/").content.decode()  # default: addressed to us
    assert "IN-1" in inbox and "OUT-1" not in inbox
    sent_page = c.get("/referrals/sent/").content.decode()
    assert "OUT-1" in sent_page and "IN-1" not in sent_page
    assert c.get("/referrals/all/").status_code == 404
    all_page = client_for(cast.office).get("/referrals/").content.decode()
    assert "IN-1" in all_page and "OUT-1" in all_page


def test_list_filters(cast):
    sent(cast.clerk, cast.unit, number="K-1")
    sent(cast.clerk, cast.unit, number="K-2", code="enforcement_inquiry", subject="查询车辆")
    sent(cast.other_clerk, cast.unit, number="K-3")
    c = client_for(cast.liaison)

    def numbers(q):
        from urllib.parse import parse_qsl

        html = c.get("/referrals/inbox/", dict(parse_qsl(q))).content.decode()
        return sorted(n for n in ("K-1", "K-2", "K-3") if f">{n}<" in html)

    assert numbers("kind=enforcement_inquiry") == ["K-2"]
    assert numbers(f"counterpart={cast.other_court.pk}") == ["K-3"]
    assert numbers("search=车辆") == ["K-2"]
    assert numbers("status=sent") == ["K-1", "K-2", "K-3"]
    assert numbers("overdue=true") == []
    assert numbers("from=2000-01-01&to=2000-12-31") == []
    assert numbers("task=8") == ["K-1", "K-3"]


def test_detail_shows_the_timeline_and_the_receivers_actions(cast):
    r = sent(cast.clerk, cast.unit)
    services.referral_return(referral=r, by=cast.liaison, reason="材料不全")
    services.referral_send(referral=r, by=cast.clerk)
    html = client_for(cast.liaison).get(f"/referrals/{r.pk}/").content.decode()
    assert html.count("材料不全") == 1 and "签收" in html and 'data-testid="timeline"' in html
    assert f"/referrals/{r.pk}/acknowledge/" in html and f"/referrals/{r.pk}/revoke/" not in html
    html = client_for(cast.clerk).get(f"/referrals/{r.pk}/").content.decode()
    assert f"/referrals/{r.pk}/revoke/" in html and f"/referrals/{r.pk}/acknowledge/" not in html


def test_transitions_through_the_page_forms(cast):
    r = sent(cast.clerk, cast.unit)
    c = client_for(cast.liaison)
    assert c.post(f"/referrals/{r.pk}/acknowledge/").status_code == 302
    c.post(f"/referrals/{r.pk}/accept/")
    resp = c.post(f"/referrals/{r.pk}/conclude/", {"outcome": "found", "note": ""}, follow=True)
    assert "办理结果只能是" in resp.content.decode()
    c.post(f"/referrals/{r.pk}/conclude/", {"outcome": "resolved", "note": "成功"})
    r.refresh_from_db()
    assert r.status == "concluded" and r.outcome == "resolved"
    resp = client_for(cast.clerk).post(f"/referrals/{r.pk}/revoke/", follow=True)
    assert "不能撤回" in resp.content.decode()


def test_create_form_saves_a_draft_and_says_what_is_wrong(cast):
    c = client_for(cast.liaison)
    kind = ReferralKind.objects.get(code="criminal_transfer")
    data = {
        "kind": kind.pk,
        "receiver": cast.unit.pk,
        "case_number": "环移〔2026〕1号",
        "subject": "非法倾倒危险废物",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-0-role": "respondent",
        "parties-0-name": "某化工有限公司",
        "parties-1-role": "other",
    }
    resp = c.post("/referrals/new/", data)
    assert resp.status_code == 200 and "不能移送给本单位" in resp.content.decode()
    assert Referral.objects.count() == 0
    data["receiver"] = cast.other_unit.pk
    resp = c.post("/referrals/new/", data)
    r = Referral.objects.get()
    assert resp.status_code == 302 and r.status == "draft" and r.parties.get().name == "某化工有限公司"
    assert client_for(cast.liaison).post(f"/referrals/{r.pk}/send/").status_code == 302
    r.refresh_from_db()
    assert r.status == "sent"


def test_home_page_shows_what_awaits_the_unit(cast):
    r = sent(cast.clerk, cast.unit, number="AW-1")
    html = client_for(cast.liaison).get("/").content.decode()
    assert 'data-testid="referrals-awaiting"' in html and "AW-1" in html
    html = client_for(cast.other_liaison).get("/").content.decode()
    assert "AW-1" not in html
    snippet = client_for(cast.liaison).get("/referrals/awaiting/").content.decode()
    assert f"/referrals/{r.pk}/" in snippet


def test_awaiting_selector_query_count(cast, django_assert_max_num_queries):
    from cases.referrals.selectors import referrals_awaiting

    _bulk(cast, 30)
    with django_assert_max_num_queries(2):
        rows, total = referrals_awaiting(cast.liaison)
        [r.kind.name + r.sender.name for r in rows]
    assert len(rows) == 8 and total == 30


def test_edit_page_corrects_a_returned_referral(cast):
    r = sent(cast.clerk, cast.unit)
    services.referral_return(referral=r, by=cast.liaison, reason="请补充当事人电话")
    c = client_for(cast.clerk)
    assert c.get(f"/referrals/{r.pk}/edit/").status_code == 200
    data = {
        "receiver": cast.unit.pk,
        "case_number": r.case_number,
        "subject": r.subject,
        "summary": "已补充",
        "parties-TOTAL_FORMS": "1",
        "parties-INITIAL_FORMS": "1",
        "parties-0-role": "applicant",
        "parties-0-name": "张三丰",
        "parties-0-id_number": ID,
        "parties-0-phone": "13900001111",
    }
    assert c.post(f"/referrals/{r.pk}/edit/", data).status_code == 302
    assert r.parties.get().phone == "13900001111"
    resp = client_for(cast.liaison).get(f"/referrals/{r.pk}/edit/")
    assert resp.status_code == 403 and "只有移送单位可以进行此操作" in resp.content.decode()


def test_a_returned_referral_awaits_its_sender(cast):
    from cases.referrals.selectors import referrals_awaiting

    r = sent(cast.clerk, cast.unit, number="RT-1")
    assert referrals_awaiting(cast.clerk) == ([], 0)
    services.referral_return(referral=r, by=cast.liaison, reason="材料不全")
    rows, total = referrals_awaiting(cast.clerk)
    assert [x.pk for x in rows] == [r.pk] and total == 1
    assert referrals_awaiting(cast.liaison) == ([], 0)


def test_every_page_renders_for_the_roles_that_use_it(cast):
    r = sent(cast.clerk, cast.unit)
    for user, urls in (
        (cast.clerk, ["/referrals/new/", "/referrals/import/", "/referrals/sent/", f"/referrals/{r.pk}/"]),
        (cast.liaison, ["/referrals/inbox/", f"/referrals/{r.pk}/", "/referrals/awaiting/"]),
        (cast.office, ["/referrals/", "/referrals/all/", "/referrals/figures/", f"/referrals/{r.pk}/"]),
        (cast.leader, ["/referrals/", "/referrals/figures/", f"/referrals/{r.pk}/"]),
    ):
        c = client_for(user)
        for url in urls:
            assert c.get(url).status_code == 200, (user.username, url)
    assert client_for(cast.leader).get("/referrals/new/").status_code == 403  # a leader only reads
    html = client_for(cast.leader).get(f"/referrals/{r.pk}/").content.decode()
    assert 'data-testid="actions"' not in html
