"""No English and no codes in the Chinese interface (issue 14): the sign-in lock-out's admin, every model
field's label, the admin selector widget's buttons, the notices' events, and the inbox's links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse

from members import services
from members.events import EVENT_LABELS
from members.models import MemberUnit, Notification, WorkTask
from members.roles import ensure_roles
from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_permissions(cast):  # type: ignore[no-untyped-def]
    """The groups' permissions as a later migrate gives them (on a fresh test database members' post_migrate
    hook runs before the other apps' permissions exist; see tests/cases/referrals/test_admin_tasks.py)."""
    ensure_roles()


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_lockout_admin_is_in_chinese(cast: Cast) -> None:
    AccessAttempt.objects.create(
        username="liaison", ip_address="10.0.0.1", user_agent="test", http_accept="*/*", path_info="/accounts/login/",
        get_data="", post_data="", failures_since_start=settings.AXES_FAILURE_LIMIT,
    )  # fmt: skip
    client = client_for(cast.admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in index and "登录尝试" in index
    assert "Access attempts" not in index and ">Axes<" not in index
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "已锁定" in page and "失败次数" in page
    for english in ("Locked Out", "Failed Logins", "Attempt Time", ">Status<"):
        assert english not in page, english


def test_the_apps_keep_their_own_configs() -> None:
    """django-axes' config lives outside members/apps.py, where a second AppConfig would hide MembersConfig."""
    assert str(apps.get_app_config("members").verbose_name) == "成员单位与人员"
    assert str(apps.get_app_config("axes").verbose_name) == "登录保护"


def _our_models() -> list[type]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"members", "cases", "meetings", "stats"}
        and not model.__name__.startswith("Historical")
    ]


def test_every_field_of_our_models_has_a_chinese_label() -> None:
    unlabelled = [
        f"{model.__name__}.{f.name}"
        for model in _our_models()
        for f in model._meta.get_fields()
        if not f.auto_created and hasattr(f, "verbose_name") and not CJK.search(str(f.verbose_name))
    ]
    assert unlabelled == []


def test_next_alert_at_reads_in_chinese_on_the_meeting_admin(cast: Cast) -> None:
    response = client_for(cast.admin).get(reverse("admin:meetings_meeting_add"))
    assert response.status_code == 200
    assert "下次提醒" in response.content.decode() and "Next alert at" not in response.content.decode()


def test_the_admin_selector_widget_speaks_chinese(cast: Cast) -> None:
    """Django 5.2's zh_Hans catalogue lacks the selector's "Choose all %s"; ours (djangojs) has them."""
    script = client_for(cast.admin).get(reverse("admin:jsi18n")).content.decode()
    for chinese in ("全选%s", "全部移除%s", "选入所选%s", "移除所选%s"):
        assert json.dumps(chinese) in script, chinese
    assert '"Choose all %s": "Choose all %s"' not in script


def test_every_notice_event_has_words() -> None:
    templates = Path(settings.BASE_DIR, "templates", "notifications").glob("*.subject.txt")
    events = {path.name.removesuffix(".subject.txt") for path in templates}
    assert events == set(EVENT_LABELS)


def test_the_notifications_admin_shows_events_in_words(cast: Cast) -> None:
    Notification.objects.create(
        recipient=cast.liaison,
        event="decision_assigned",
        content_type=ContentType.objects.get_for_model(MemberUnit),
        object_id=cast.unit.pk,
        stage="assigned",
        subject="新的议定事项",
    )
    client = client_for(cast.admin)
    page = client.get(reverse("admin:members_notification_changelist")).content.decode()
    assert "议定事项交办" in page
    assert ">decision_assigned<" not in page and "decision_assigned</td>" not in page
    notice = Notification.objects.get()
    change = client.get(reverse("admin:members_notification_change", args=[notice.pk])).content.decode()
    assert "议定事项交办" in change and "decision_assigned" not in change


def test_the_inbox_shows_a_button_to_the_record_not_a_raw_link(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "http://fuyuan.example"
    task = WorkTask.objects.get(number=1)
    services.notify(
        event="stats_report_ready",
        obj=task,
        stage="ready",
        recipients=[cast.office],
        url="/stats/report/",
        context={"object": type("R", (), {"title": "季度报告", "start": None, "end": None})()},
    )
    notice = Notification.objects.get(recipient=cast.office)
    page = client_for(cast.office).get(reverse("inbox")).content.decode()
    assert "http://" not in page.split("<main", 1)[-1]
    button = re.search(r'<a class="btn[^"]*" href="([^"]+)">查看</a>', page)
    assert button and button.group(1) == reverse("inbox-open", args=[notice.pk])
    assert "定期报告已生成" in page  # the event in words
    # The email keeps its link to the record.
    assert services.notification_deliver(notification_id=notice.pk) == "sent"
    assert "http://fuyuan.example/stats/report/" in mail.outbox[0].body


def test_a_notice_written_with_a_link_in_its_text_shows_without_it(cast: Cast) -> None:
    Notification.objects.create(
        recipient=cast.liaison,
        event="referral_update",
        content_type=ContentType.objects.get_for_model(MemberUnit),
        object_id=cast.unit.pk,
        stage="sent",
        subject="【委派调解】甲中院移送:(2026)甘01民诉前调1号",
        body="委派调解 (2026)甘01民诉前调1号(甲中院 → 甲局)\n请签收并在期限内办理。\n详情:http://old.example/referrals/1/",
        url="/referrals/1/",
    )
    page = client_for(cast.liaison).get(reverse("inbox")).content.decode()
    assert "请签收并在期限内办理。" in page
    assert "http://old.example" not in page
