"""Hearings (行政机关负责人出庭应诉): the lifecycle, every refused transition with its state unchanged, the 通报 of a
head absent without a reason, the reminder ladder (7 days, 1 day, once each; an answer disarms it) and the scope
at province, city and county."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases.hearings import selectors, services
from cases.hearings.alerts import scan_alerts
from cases.hearings.models import Hearing
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.models import Notification, WorkTask
from tests.cases.hearings_support import HEARING_AT, NOW, World, at, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield world()


def state(h: Hearing) -> dict[str, Any]:
    """Every column of the row (``model_to_dict`` would leave out the non-editable lifecycle fields)."""
    h.refresh_from_db()
    return {f.attname: getattr(h, f.attname) for f in h._meta.concrete_fields}


def notices(h: Hearing, event: str) -> list[Notification]:
    return list(Notification.objects.filter(object_id=h.pk, event=f"hearing.{event}").order_by("pk"))


def test_draft_is_stamped_in_the_common_region_with_task_one(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.draft(case_number=" (2026)甘01 行初12号 ")
    assert h.case_number == "(2026)甘01行初12号"
    assert h.region_id == w.court.region_id and h.city_id == w.court.region_id  # 兰州市
    assert [t.number for t in h.tasks.all()] == [1]
    assert h.status == Hearing.Status.DRAFT and h.next_alert_at is None
    task3 = WorkTask.objects.get(number=3)
    with time_machine.travel(NOW, tick=False):
        assert [t.number for t in w.draft(case_number="x1", tasks=[task3]).tasks.all()] == [3]


def test_whole_cycle_notify_answer_record(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        assert h.status == Hearing.Status.NOTIFIED
        assert {n.recipient for n in notices(h, "notified")} == {w.liaison}
        assert services.allowed_actions(h, w.liaison) == {"answer"}
        assert services.allowed_actions(h, w.clerk) == {"cancel"}
        services.hearing_answer(hearing=h, by=w.liaison, name="张三", post="局长", responsible_person=True)
        assert {n.recipient for n in notices(h, "answered")} == {w.clerk}
        # The agency may change its answer until the hearing.
        services.hearing_answer(
            hearing=h, by=w.liaison, name="李四", post="科员", responsible_person=False, reason="外出学习"
        )
        assert (h.answer_name, h.answer_responsible, h.answer_reason) == ("李四", False, "外出学习")
    with time_machine.travel("2026-03-20 11:00 +0800", tick=False):
        assert services.allowed_actions(h, w.clerk) == {"record", "cancel"}
        assert services.allowed_actions(h, w.liaison) == set()
        services.hearing_record(hearing=h, by=w.clerk, appeared="staff", name="李四", post="科员")
    assert state(h)["status"] == "held" and h.head_appeared is False
    assert h.reported_at is None and notices(h, "reported") == []  # a reason was given: no 通报
    labels = [e.label for e in selectors.hearing_timeline(h) if e.kind == "action"]
    assert labels == ["登记", "发出出庭通知", "回复出庭人员", "回复出庭人员", "登记出庭情况"]


def test_head_absent_without_reason_is_reported_to_supervisor_and_office(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        services.hearing_answer(hearing=h, by=w.liaison, name="张三", post="局长", responsible_person=True)
    with time_machine.travel("2026-03-20 11:00 +0800", tick=False):
        services.hearing_record(hearing=h, by=w.clerk, appeared="none")
    assert h.reported_at is not None
    assert {n.recipient for n in notices(h, "reported")} == {w.supervisor_liaison, w.office_city}


def test_deputy_appearing_is_a_responsible_person_and_not_reported(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
    with time_machine.travel("2026-03-21 09:00 +0800", tick=False):
        services.hearing_record(hearing=h, by=w.clerk, appeared="deputy", name="王五", post="副局长")
    assert h.head_appeared is True and h.reported_at is None


def test_a_past_hearing_cannot_be_notified(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.draft(hearing_at=at("2026-03-01T09:00:00+08:00"))
        before = state(h)
        assert "notify" not in services.allowed_actions(h, w.clerk)
        with pytest.raises(TransitionNotAllowed, match="已过,不能发出出庭通知"):
            services.hearing_notify(hearing=h, by=w.clerk)
    assert state(h) == before
    assert Notification.objects.filter(object_id=h.pk).count() == 0


def test_recording_before_the_hearing_is_refused(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        before = state(h)
        with pytest.raises(TransitionNotAllowed, match="尚未开庭"):
            services.hearing_record(hearing=h, by=w.clerk, appeared="head", name="张三")
    assert state(h) == before


@pytest.mark.parametrize("who", ["other_liaison", "clerk", "office_city", "supervisor_liaison"])
def test_only_the_defendants_liaisons_answer(w: World, who: str) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        before = state(h)
        with pytest.raises(NotPermitted):
            services.hearing_answer(hearing=h, by=getattr(w, who), name="甲", post="乙", responsible_person=True)
    assert state(h) == before


def test_refused_transitions_leave_the_state_unchanged(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        draft = w.draft()
        before = state(draft)
        with pytest.raises(TransitionNotAllowed):  # a draft is not answered
            services.hearing_answer(hearing=draft, by=w.liaison, name="甲", post="乙", responsible_person=True)
        with pytest.raises(NotPermitted):  # another court's clerk
            services.hearing_notify(hearing=draft, by=w.high_clerk)
        with pytest.raises(NotPermitted):
            services.hearing_cancel(hearing=draft, by=w.liaison)
        assert state(draft) == before
        h = w.notified(case_number="(2026)甘01行初13号")
        with pytest.raises(TransitionNotAllowed):  # notified twice
            services.hearing_notify(hearing=h, by=w.clerk)
        with pytest.raises(TransitionNotAllowed):  # only a draft is edited
            services.hearing_update(hearing=h, by=w.clerk, changes={"place": "别处"})
        before = state(h)
        with pytest.raises(ValidationError) as err:  # not a responsible person, no reason
            services.hearing_answer(hearing=h, by=w.liaison, name="甲", post="科员", responsible_person=False)
        assert "reason" in err.value.message_dict
        assert state(h) == before
    with time_machine.travel("2026-03-20 09:30 +0800", tick=False):
        with pytest.raises(TransitionNotAllowed, match="不能再回复"):  # the hearing has begun
            services.hearing_answer(hearing=h, by=w.liaison, name="甲", post="乙", responsible_person=True)
        with pytest.raises(ValidationError):  # no such appearance
            services.hearing_record(hearing=h, by=w.clerk, appeared="ghost")
        with pytest.raises(NotPermitted):  # the court above reads, does not record
            services.hearing_record(hearing=h, by=w.high_clerk, appeared="head", name="甲")
        assert state(h) == before
        services.hearing_record(hearing=h, by=w.clerk, appeared="head", name="甲")
        held = state(h)
        with pytest.raises(TransitionNotAllowed):  # recorded twice
            services.hearing_record(hearing=h, by=w.clerk, appeared="none")
        with pytest.raises(TransitionNotAllowed):  # a held hearing is not cancelled
            services.hearing_cancel(hearing=h, by=w.clerk)
        assert state(h) == held


def test_bad_drafts_are_refused_in_chinese(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ValidationError) as err:
            w.draft(case_number="  ")
        assert err.value.message_dict["case_number"] == ["请填写案号。"]
        with pytest.raises(ValidationError) as err:
            w.draft(defendant=w.court)
        assert "defendant" in err.value.message_dict
        with pytest.raises(NotPermitted):
            services.hearing_create(by=w.liaison, case_number="x", defendant=w.defendant, hearing_at=at(HEARING_AT))
    assert Hearing.objects.count() == 0


def test_cancel_tells_the_agency_and_disarms(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        assert h.next_alert_at is not None
        services.hearing_cancel(hearing=h, by=w.clerk, reason="原告撤诉")
    assert state(h)["status"] == "cancelled" and h.next_alert_at is None
    assert {n.recipient for n in notices(h, "cancelled")} == {w.liaison}


# --- The reminder ladder ---------------------------------------------------------------------------


def test_reminders_seven_days_and_one_day_before_once_each(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
    assert h.next_alert_at == at("2026-03-13T09:30:00+08:00")
    with time_machine.travel("2026-03-13 09:29 +0800", tick=False):
        assert scan_alerts() == 0
    with time_machine.travel("2026-03-13 09:31 +0800", tick=False):
        assert scan_alerts() == 1
        assert scan_alerts() == 0  # re-armed for the one-day reminder
    reminders = notices(h, "reminder")
    assert [(n.recipient, n.stage) for n in reminders] == [(w.liaison, "due_7@202603200930")]
    h.refresh_from_db()
    assert h.next_alert_at == at("2026-03-19T09:30:00+08:00")
    with time_machine.travel("2026-03-19 10:00 +0800", tick=False):
        assert scan_alerts() == 1
        assert scan_alerts() == 0
    assert [n.stage for n in notices(h, "reminder")] == ["due_7@202603200930", "due_1@202603200930"]
    h.refresh_from_db()
    assert h.next_alert_at is None


def test_a_scan_with_nothing_due_is_one_query(w: World, django_assert_num_queries: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        w.notified()  # armed for seven days before the hearing
    with time_machine.travel("2026-03-13 09:29 +0800", tick=False), django_assert_num_queries(1) as ctx:
        assert scan_alerts() == 0  # the due rows' units on the partial index hearing_alert_due: none
    assert '"next_alert_at" <=' in ctx.captured_queries[0]["sql"]


def test_a_missed_scan_sends_only_the_current_rung(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
    with time_machine.travel("2026-03-19 12:00 +0800", tick=False):  # the 7-day scan never ran
        scan_alerts()
    assert [n.stage for n in notices(h, "reminder")] == ["due_1@202603200930"]


def test_an_answer_disarms_the_ladder(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        h = w.notified()
        services.hearing_answer(hearing=h, by=w.liaison, name="张三", post="局长", responsible_person=True)
    assert state(h)["next_alert_at"] is None
    with time_machine.travel("2026-03-19 10:00 +0800", tick=False):
        assert scan_alerts() == 0
    assert notices(h, "reminder") == []


def test_notified_five_days_ahead_hears_only_the_one_day_reminder(w: World) -> None:
    with time_machine.travel("2026-03-15 10:00 +0800", tick=False):
        h = w.notified()
    assert h.next_alert_at == at("2026-03-19T09:30:00+08:00")


# --- Scope ---------------------------------------------------------------------------------------


def test_scope_by_level(w: World) -> None:
    with time_machine.travel(NOW, tick=False):
        draft = w.draft(case_number="(2026)甘01行初1号")
        sent = w.notified(case_number="(2026)甘01行初2号")
    sees_both = ["clerk", "office_province", "office_city", "leader_city"]
    sees_sent = ["liaison", "high_clerk"]
    sees_none = ["other_liaison", "county_clerk", "office_county", "office_other_city", "supervisor_liaison"]
    for who in sees_both:
        assert set(selectors.visible_to(getattr(w, who))) == {draft, sent}, who
    for who in sees_sent:
        assert set(selectors.visible_to(getattr(w, who))) == {sent}, who
    for who in sees_none:
        assert set(selectors.visible_to(getattr(w, who))) == set(), who
