"""Legal opinions by level: where an opinion lives, who reads it (outside: 404), who acts.

Opinions: ``cg`` a 城关区 department asks the 城关区 court (lives in 城关区), ``lz`` a 兰州市 department asks
兰州中院 (兰州市), ``jyg`` a 嘉峪关市 department asks 嘉峪关中院 (嘉峪关市), ``prov`` a provincial department
asks the High Court (the province).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.opinions import services
from cases.opinions.selectors import visible_to
from tests.cases.opinions_support import ask
from tests.conftest import client_for
from tests.levels import (
    CHENGGUAN,
    JIAYUGUAN,
    LANZHOU,
    PROVINCE,
    clerk_at,
    court_at,
    leader_at,
    liaison_at,
    office_user_at,
    unit_at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    units = {code: unit_at(code, f"测试局{code}") for code in (PROVINCE, LANZHOU, CHENGGUAN, JIAYUGUAN)}
    ops = {}
    for key, code in (("prov", PROVINCE), ("lz", LANZHOU), ("cg", CHENGGUAN), ("jyg", JIAYUGUAN)):
        ops[key] = ask(liaison_at(units[code], f"liaison_{key}"), court_at(code))
    return SimpleNamespace(units=units, ops=ops)


def seen(user, ops) -> set[str]:
    ids = set(visible_to(user).values_list("pk", flat=True))
    return {key for key, op in ops.items() if op.pk in ids}


def test_where_an_opinion_lives(w):
    assert {k: o.region.code for k, o in w.ops.items()} == {
        "prov": PROVINCE,
        "lz": LANZHOU,
        "cg": CHENGGUAN,
        "jyg": JIAYUGUAN,
    }
    assert w.ops["cg"].city.code == LANZHOU and w.ops["prov"].city is None


def test_who_reads_what(w):
    assert seen(office_user_at(PROVINCE), w.ops) == {"prov", "lz", "cg", "jyg"}
    assert seen(leader_at(PROVINCE), w.ops) == {"prov", "lz", "cg", "jyg"}
    assert seen(office_user_at(LANZHOU), w.ops) == {"lz", "cg"}
    assert seen(leader_at(LANZHOU), w.ops) == {"lz", "cg"}
    assert seen(office_user_at(CHENGGUAN), w.ops) == {"cg"}
    assert seen(office_user_at(JIAYUGUAN), w.ops) == {"jyg"}
    # A court's clerks: their court's, and read-only the courts' below (the High Court: every court's).
    assert seen(clerk_at(court_at(PROVINCE), "high_clerk"), w.ops) == {"prov", "lz", "cg", "jyg"}
    assert seen(clerk_at(court_at(LANZHOU), "lz_clerk"), w.ops) == {"lz", "cg"}
    assert seen(clerk_at(court_at(CHENGGUAN), "cg_clerk"), w.ops) == {"cg"}
    # A liaison: their unit's.
    assert seen(w.ops["lz"].requested_by, w.ops) == {"lz"}


def test_courts_above_read_only_and_outside_is_404(w):
    lz_clerk = clerk_at(court_at(LANZHOU), "lz_clerk")
    high_clerk = clerk_at(court_at(PROVINCE), "high_clerk")
    cg = w.ops["cg"]
    for reader in (lz_clerk, high_clerk, office_user_at(LANZHOU)):
        assert "answer" not in services.allowed_actions(cg, reader)
    assert services.allowed_actions(cg, clerk_at(court_at(CHENGGUAN), "cg_clerk")) == {"answer"}
    # The county's office may edit and withdraw what lives in its region; the city's too (its region holds it).
    assert services.allowed_actions(cg, office_user_at(CHENGGUAN)) == {"edit", "withdraw"}
    assert services.allowed_actions(cg, office_user_at(JIAYUGUAN)) == set()
    url = reverse("opinion-detail", args=[cg.pk])
    jyg_office = office_user_at(JIAYUGUAN)
    assert client_for(lz_clerk).get(url).status_code == 200
    assert client_for(jyg_office).get(url).status_code == 404
    api = APIClient()
    api.force_authenticate(jyg_office)
    assert api.get(f"/api/v1/opinions/{cg.pk}/").status_code == 404
    api.force_authenticate(lz_clerk)
    assert api.post(f"/api/v1/opinions/{cg.pk}/answer/", {"answer": "x"}).status_code == 403


def test_region_and_level_filters(w):
    client = client_for(office_user_at(PROVINCE))
    from tests.levels import region

    def keys(**params):
        rows = client.get(reverse("opinion-list"), params).context["listing"].object_list
        return {k for k, o in w.ops.items() if o.pk in {r.pk for r in rows}}

    assert keys(region=region(LANZHOU).pk) == {"lz", "cg"}
    assert keys(region=region(CHENGGUAN).pk) == {"cg"}
    assert keys(level="province") == {"prov"}
    assert keys(level="city") == {"lz", "jyg"}
    assert keys(level="county") == {"cg"}
    assert keys(region="abc") == {"prov", "lz", "cg", "jyg"}  # a malformed value drops its filter
