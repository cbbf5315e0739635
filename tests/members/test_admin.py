"""The admin of the members app: every page answers for the administrator, search and filters work."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from members.models import Liaison, MemberUnit, Notification, Region, User, WorkerHeartbeat, WorkTask
from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast: Cast) -> dict[str, Any]:
    """One object of each members model, with the relations the admin shows."""
    region = Region.objects.first()
    cast.unit.region = region
    cast.unit.supervisor = cast.other_unit
    cast.unit.save()
    notice = Notification.objects.create(
        recipient=cast.liaison,
        event="recommendation_overdue",
        content_type=ContentType.objects.get_for_model(MemberUnit),
        object_id=cast.unit.pk,
        stage="overdue",
        subject="司法建议逾期未回复",
        email_status=Notification.EmailStatus.FAILED,
        email_last_error="SMTPServerDisconnected",
    )
    heartbeat = WorkerHeartbeat.objects.create(name="worker", seen_at=timezone.now())
    return {
        Region: region,
        MemberUnit: cast.unit,
        User: cast.liaison,
        Liaison: cast.liaison.liaison,
        WorkTask: WorkTask.objects.get(number=1),
        Notification: notice,
        WorkerHeartbeat: heartbeat,
    }


MODELS = [Region, MemberUnit, User, Liaison, WorkTask, Notification, WorkerHeartbeat]


def admin_url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_answers(cast: Cast, world: dict, model: type) -> None:
    response = client_for(cast.admin).get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert str(world[model]) in response.content.decode() or model is WorkerHeartbeat


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_page_answers(cast: Cast, world: dict, model: type) -> None:
    obj = world[model]
    response = client_for(cast.admin).get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [MemberUnit, User, WorkTask, Liaison], ids=lambda m: m.__name__)
def test_history_page_answers(cast: Cast, world: dict, model: type) -> None:
    response = client_for(cast.admin).get(admin_url(model, "history", world[model].pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [Region, MemberUnit, User, Liaison, WorkTask], ids=lambda m: m.__name__)
def test_add_page_answers(cast: Cast, model: type) -> None:
    assert client_for(cast.admin).get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [Notification, WorkerHeartbeat], ids=lambda m: m.__name__)
def test_platform_rows_are_read_only(cast: Cast, world: dict, model: type) -> None:
    client = client_for(cast.admin)
    assert client.get(admin_url(model, "add")).status_code == 403
    page = client.get(admin_url(model, "change", world[model].pk)).content.decode()
    assert 'name="_save"' not in page


def changelist_rows(client: Any, model: type, **params: Any) -> list[Any]:
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_unit_search_and_filters(cast: Cast, world: dict) -> None:
    client = client_for(cast.admin)
    assert changelist_rows(client, MemberUnit, q="甲局") == [cast.unit]
    courts = changelist_rows(client, MemberUnit, kind__exact="court")
    assert cast.court in courts and cast.unit not in courts
    assert changelist_rows(client, MemberUnit, region__id__exact=world[Region].pk, q="测试") == [cast.unit]
    city = changelist_rows(client, MemberUnit, level__exact="city", q="测试")
    assert set(city) == {cast.court, cast.other_court}
    assert cast.court not in changelist_rows(client, MemberUnit, is_member_unit__exact="1")
    cast.other_unit.active = False
    cast.other_unit.save()
    assert changelist_rows(client, MemberUnit, active__exact="0") == [cast.other_unit]


def test_user_search_and_group_filter(cast: Cast) -> None:
    client = client_for(cast.admin)
    assert changelist_rows(client, User, q="other_clerk") == [cast.other_clerk]
    assert changelist_rows(client, User, q="测试局乙") == [cast.other_liaison]  # by unit name
    liaison_group = cast.liaison.groups.get()
    assert set(changelist_rows(client, User, groups__id__exact=liaison_group.pk)) == {
        cast.liaison,
        cast.other_liaison,
    }


def test_liaison_task_and_notification_search(cast: Cast, world: dict) -> None:
    client = client_for(cast.admin)
    assert changelist_rows(client, Liaison, q="测试局乙") == [cast.other_liaison.liaison]
    tasks = changelist_rows(client, WorkTask, q=world[WorkTask].title[:4])
    assert world[WorkTask] in tasks
    notice = world[Notification]
    assert changelist_rows(client, Notification, q="逾期") == [notice]
    assert changelist_rows(client, Notification, q="liaison") == [notice]  # by recipient
    assert changelist_rows(client, Notification, q="无此通知") == []
    assert changelist_rows(client, Notification, email_status__exact="failed") == [notice]
    assert changelist_rows(client, Notification, read="no") == [notice]
    assert changelist_rows(client, Notification, read="yes") == []
    assert changelist_rows(client, Notification, event__exact="recommendation_overdue") == [notice]


@pytest.mark.parametrize(
    ("model", "field", "term", "expected"),
    [
        (MemberUnit, "parent", "甲局", "unit"),
        (User, "unit", "乙局", "other_unit"),
        (Liaison, "user", "other_liaison", "other_liaison"),
        (WorkTask, "lead_units", "乙中院", "other_court"),
    ],
)
def test_autocomplete_for_foreign_keys(cast: Cast, model: type, field: str, term: str, expected: str) -> None:
    response = client_for(cast.admin).get(
        reverse("admin:autocomplete"),
        {"app_label": "members", "model_name": model._meta.model_name, "field_name": field, "term": term},
    )
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == [str(getattr(cast, expected).pk)]


def test_admin_edit_of_a_unit_keeps_history(cast: Cast) -> None:
    client = client_for(cast.admin)
    url = admin_url(MemberUnit, "change", cast.unit.pk)
    form = {
        "name": "测试局甲",
        "short_name": "甲局改",
        "kind": "government",
        "level": "province",
        "region": "",
        "parent": "",
        "supervisor": cast.other_unit.pk,
        "is_member_unit": "on",
        "order": "10",
        "letterhead-TOTAL_FORMS": "0",  # the 公文版头 inline (issue 18), left empty
        "letterhead-INITIAL_FORMS": "0",
        "active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    cast.unit.refresh_from_db()
    assert cast.unit.short_name == "甲局改"
    assert cast.unit.history.first().history_user == cast.admin


def test_non_staff_cannot_open_the_admin(cast: Cast) -> None:
    response = client_for(cast.office).get(admin_url(MemberUnit, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_retire_action_uses_the_service_and_spares_oneself(cast: Cast) -> None:
    response = client_for(cast.admin).post(
        admin_url(User, "changelist"),
        {"action": "retire", "_selected_action": [cast.liaison.pk, cast.admin.pk]},
    )
    assert response.status_code == 302
    cast.liaison.refresh_from_db()
    cast.admin.refresh_from_db()
    assert not cast.liaison.is_active
    assert not Liaison.objects.filter(user=cast.liaison).exists()
    assert cast.admin.is_active


def user_change_data(user: User, **changes: Any) -> dict[str, Any]:
    """The admin's user change form as the browser would post it, with ``changes`` applied."""
    data: dict[str, Any] = {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "unit": user.unit_id or "",
        "language": user.language,
        "email_notifications": "on" if user.email_notifications else "",
        "is_active": "on" if user.is_active else "",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [],
        "liaison-TOTAL_FORMS": "0",
        "liaison-INITIAL_FORMS": "0",
        "liaison-MIN_NUM_FORMS": "0",
        "liaison-MAX_NUM_FORMS": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def group(role: str) -> Any:
    from django.contrib.auth.models import Group

    return Group.objects.get(name=role)


def test_admin_refuses_roles_that_do_not_fit_the_unit(cast: Cast) -> None:
    """A court clerk must belong to a court: the admin says so on the unit field and saves nothing."""
    from members.roles import Role

    client = client_for(cast.admin)
    before = set(cast.liaison.groups.values_list("name", flat=True))
    response = client.post(
        admin_url(User, "change", cast.liaison.pk),
        user_change_data(cast.liaison, groups=[group(Role.COURT_CLERK).pk]),
    )
    assert response.status_code == 200
    assert "法院工作人员必须属于一个人民法院。" in response.context["adminform"].form.errors["unit"]
    assert set(cast.liaison.groups.values_list("name", flat=True)) == before
    assert Liaison.objects.filter(user=cast.liaison).exists()


def test_admin_group_changes_keep_staff_flag_and_liaison_place(cast: Cast) -> None:
    """Groups set in the admin have the same effects as roles set through the service."""
    from members.roles import Role

    client = client_for(cast.admin)
    url = admin_url(User, "change", cast.liaison.pk)
    # liaison → administrator: staff flag on, the liaison place goes.
    response = client.post(url, user_change_data(cast.liaison, groups=[group(Role.ADMIN).pk]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    cast.liaison.refresh_from_db()
    assert cast.liaison.is_staff
    assert not Liaison.objects.filter(user=cast.liaison).exists()
    # back to liaison: staff flag off, a liaison place (A角) again.
    response = client.post(url, user_change_data(cast.liaison, groups=[group(Role.LIAISON).pk]))
    assert response.status_code == 302
    cast.liaison.refresh_from_db()
    assert not cast.liaison.is_staff
    assert cast.liaison.liaison.role == Liaison.Role.PRIMARY


def test_admin_cannot_set_the_staff_flag_by_hand(cast: Cast) -> None:
    client = client_for(cast.admin)
    response = client.post(admin_url(User, "change", cast.office.pk), user_change_data(cast.office, is_staff="on"))
    assert response.status_code == 302
    cast.office.refresh_from_db()
    assert not cast.office.is_staff  # derived from the roles, shown read-only


def test_statistics_admin_is_open_to_the_administrator_role(cast: Cast) -> None:
    """The administrator role (not a superuser) keeps snapshots and prepared reports in the admin."""
    from stats.models import PreparedReport, Snapshot

    assert not cast.admin.is_superuser
    client = client_for(cast.admin)
    for model in (Snapshot, PreparedReport):
        assert client.get(admin_url(model, "changelist")).status_code == 200
    assert cast.office.has_perm("stats.view_snapshot") and not cast.office.has_perm("stats.change_snapshot")
    assert cast.leader.has_perm("stats.view_preparedreport")
    assert not cast.liaison.has_perm("stats.view_snapshot")
