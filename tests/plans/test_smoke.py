"""The plan cycle end to end through the services, at each level: publish → progress → 督办 → answer →
done → accepted; the state after each step, and who hears of it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from members.models import Notification
from plans import selectors, services
from plans.models import PlanItem, Supervision
from tests import levels
from tests.plans.fixtures import place, publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", [levels.PROVINCE, levels.LANZHOU, levels.CHENGGUAN])
@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_an_item_goes_from_publication_to_acceptance_with_one_supervision(code: str) -> None:
    p = publish(place(code))
    assert Notification.objects.filter(event="plan_published", recipient=p.lead_liaison).count() == 1
    assert Notification.objects.filter(event="plan_published", recipient=p.support_liaison).count() == 1
    assert p.item.next_alert_at is not None

    services.progress_report(item=p.item, by=p.lead_liaison, text="已起草方案", percent=40)
    services.progress_report(item=p.item, by=p.support_liaison, text="配合提供数据", percent=90)
    p.item.refresh_from_db()
    assert p.item.percent == 40  # a supporting unit's percentage is its own part, not the item's

    sup = services.supervision_issue(item=p.item, by=p.office, text="请加快进度", due=date(2026, 3, 6))
    assert Notification.objects.filter(event="supervision_issued", recipient=p.lead_liaison).count() == 1
    services.supervision_answer(supervision=sup, by=p.lead_liaison, text="本月底完成")
    sup.refresh_from_db()
    assert sup.status == Supervision.Status.ANSWERED and sup.next_alert_at is None

    services.item_complete(item=p.item, by=p.lead_liaison, summary="方案已印发")
    assert Notification.objects.filter(event="plan_item_done", recipient=p.office).count() == 1
    services.item_accept(item=p.item, by=p.office)
    p.item.refresh_from_db()
    assert p.item.status == PlanItem.Status.ACCEPTED and p.item.next_alert_at is None
    assert selectors.visible_to(p.leader).filter(pk=p.item.pk).exists()
    assert selectors.visible_to(p.support_liaison).filter(pk=p.item.pk).exists()
