"""Fixtures shared by the whole suite: a user of each role in units of their own."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.test import Client

from cases.recommendations.models import RecommendationPolicy
from cases.referrals.models import ReferralKind
from members import org_data
from members.models import MemberUnit, Region, User, WorkTask
from members.roles import Role, ensure_roles
from tests.factories import CourtFactory, UnitFactory, make_user

PASSWORD = "correct-horse-battery"


@dataclass
class Cast:
    """A small world: two government units, two courts, and one user of each role."""

    unit: MemberUnit
    other_unit: MemberUnit
    court: MemberUnit
    other_court: MemberUnit
    office: User
    liaison: User
    other_liaison: User
    clerk: User
    other_clerk: User
    leader: User
    admin: User


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache (each test worker has a Redis database of its own), and no rendered
    fragments (``fuyuan.lib.fragments``, in the process's memory)."""
    from django.core.cache import cache

    from fuyuan.lib import fragments

    fragments.store().clear()
    try:
        cache.clear()
    except Exception:  # a fault test may have Redis down on purpose
        pass


def ensure_organisation() -> None:
    """The data migration's organisation; a transactional test's flush removes it, so reload it."""
    if not MemberUnit.objects.filter(is_member_unit=True).exists():
        org_data.load(Region, MemberUnit, WorkTask)
        org_data.load_levels(Region, MemberUnit)
        ensure_roles()
    if not ReferralKind.objects.exists():
        # The referral kinds are data migrations' rows too; reload them with the same code.
        for name in ("0090_referral_kinds", "0104_tribunal_mediation_kind"):
            import_module(f"cases.migrations.{name}").create(django_apps, None)


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def make_cast() -> Cast:
    """The cast, for fixtures of a wider scope than ``cast`` (the caller provides the database access)."""
    ensure_organisation()
    office_unit = MemberUnit.objects.get(short_name="省司法厅")
    unit = UnitFactory(name="测试局甲", short_name="甲局")
    other_unit = UnitFactory(name="测试局乙", short_name="乙局")
    court = CourtFactory(name="测试中级人民法院甲", short_name="甲中院")
    other_court = CourtFactory(name="测试中级人民法院乙", short_name="乙中院")
    # The cast's courts issue judicial recommendations without 核稿签发 (a court's own choice in its policy);
    # the approval tests switch it on (tests/cases/recommendations/test_approval.py).
    for court_unit in (court, other_court):
        RecommendationPolicy.objects.create(court=court_unit, approval_required=False)
    return Cast(
        unit=unit,
        other_unit=other_unit,
        court=court,
        other_court=other_court,
        office=make_user(Role.OFFICE, office_unit, username="office"),
        liaison=make_user(Role.LIAISON, unit, username="liaison"),
        other_liaison=make_user(Role.LIAISON, other_unit, username="other_liaison"),
        clerk=make_user(Role.COURT_CLERK, court, username="clerk"),
        other_clerk=make_user(Role.COURT_CLERK, other_court, username="other_clerk"),
        leader=make_user(Role.LEADER, None, username="leader"),
        admin=make_user(Role.ADMIN, None, username="admin"),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
