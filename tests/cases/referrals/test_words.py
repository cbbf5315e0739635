"""Referrals in words (issue 14): a kind's outcomes are chosen with checkboxes in the admin, not typed as
JSON; the list's export button reads like every other one ("导出 Excel")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import ReferralKind
from members.roles import ensure_roles
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(cast):  # type: ignore[no-untyped-def]
    ensure_roles()  # see test_admin_tasks.py: the groups' permissions as a later migrate gives them
    return client_for(cast.admin)


def _form(kind: ReferralKind, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": kind.name,
        "answer_days": kind.answer_days or "",
        "working_days": "on" if kind.working_days else "",
        "extension_days": kind.extension_days,
        "resend_allowed": "on" if kind.resend_allowed else "",
        "default_task": kind.default_task_id or "",
        "order": kind.order,
        "active": "on",
        "outcomes": kind.outcomes,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_kind_admin_offers_the_outcomes_as_checkboxes(admin) -> None:  # type: ignore[no-untyped-def]
    kind = ReferralKind.objects.get(code="mediation")
    page = admin.get(reverse("admin:cases_referralkind_change", args=[kind.pk])).content.decode()
    assert 'type="checkbox" name="outcomes" value="resolved"' in page and "调解成功" in page
    assert "checked" in page.split('value="resolved"')[1].split(">")[0]
    assert "[&quot;resolved&quot;" not in page and '["resolved"' not in page
    listing = admin.get(reverse("admin:cases_referralkind_changelist")).content.decode()
    assert "调解成功、调解不成、撤回" in listing and "[&#x27;resolved&#x27;" not in listing


def test_the_kind_admin_saves_the_codes_in_order(admin) -> None:  # type: ignore[no-untyped-def]
    kind = ReferralKind.objects.get(code="mediation")
    url = reverse("admin:cases_referralkind_change", args=[kind.pk])
    response = admin.post(url, _form(kind, outcomes=["withdrawn", "resolved"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    kind.refresh_from_db()
    assert kind.outcomes == ["resolved", "withdrawn"]  # the data stays a list of codes


def test_a_kind_without_outcomes_is_refused_in_chinese(admin) -> None:  # type: ignore[no-untyped-def]
    kind = ReferralKind.objects.get(code="petition")
    url = reverse("admin:cases_referralkind_change", args=[kind.pk])
    response = admin.post(url, _form(kind, outcomes=[]))
    assert response.status_code == 200
    assert "请至少选择一个办理结果。" in response.content.decode()
    kind.refresh_from_db()
    assert kind.outcomes == ["done"]
    response = admin.post(url, _form(kind, outcomes=["no_such_outcome"]))
    assert response.status_code == 200
    kind.refresh_from_db()
    assert kind.outcomes == ["done"]


def test_every_list_exports_with_the_same_words(cast) -> None:  # type: ignore[no-untyped-def]
    for user, name in ((cast.clerk, "referral-list"), (cast.office, "referral-list"), (cast.office, "decision-list")):
        html = client_for(user).get(reverse(name)).content.decode()
        assert "导出 XLSX" not in html
        assert "导出 Excel" in html, name
