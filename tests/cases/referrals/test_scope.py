"""Scope (404 outside it) and the masking of parties' personal data in pages, API and exports."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from cases.referrals import services
from cases.referrals.privacy import mask_id_number, mask_name, mask_phone
from tests.cases.referrals.support import ID, PHONE, draft, sent
from tests.conftest import client_for
from tests.factories import UnitFactory, make_user

pytestmark = pytest.mark.django_db


def test_masks():
    assert mask_name("张三丰") == "张**"
    assert mask_id_number("620102199001011234") == "6201**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("") == "" and mask_id_number("") == ""


def test_a_unit_neither_sender_nor_receiver_gets_404(cast):
    r = sent(cast.clerk, cast.unit)
    for path in (f"/referrals/{r.pk}/", f"/api/v1/referrals/{r.pk}/"):
        assert client_for(cast.other_liaison).get(path).status_code == 404
        assert client_for(cast.other_clerk).get(path).status_code == 404
    resp = client_for(cast.other_liaison).post(f"/api/v1/referrals/{r.pk}/acknowledge/")
    assert resp.status_code == 404
    resp = client_for(cast.other_liaison).post(f"/referrals/{r.pk}/acknowledge/")
    assert resp.status_code == 404
    for user in (cast.clerk, cast.liaison, cast.office, cast.leader, cast.admin):
        assert client_for(user).get(f"/api/v1/referrals/{r.pk}/").status_code == 200


def test_a_draft_is_not_visible_to_the_receiver(cast):
    r = draft(cast.clerk, cast.unit)
    assert client_for(cast.liaison).get(f"/referrals/{r.pk}/").status_code == 404
    assert client_for(cast.clerk).get(f"/referrals/{r.pk}/").status_code == 200


def test_the_sub_unit_sees_what_was_passed_to_it_and_nothing_else(cast):
    county = UnitFactory(name="某县公安局", parent=cast.unit)
    county_liaison = make_user("liaison", county, username="county")
    r = sent(cast.clerk, cast.unit)
    other = sent(cast.clerk, cast.unit, number="其他-1")
    services.referral_forward(referral=r, by=cast.liaison, sub_unit=county)
    c = client_for(county_liaison)
    assert c.get(f"/api/v1/referrals/{r.pk}/").status_code == 200
    assert c.get(f"/api/v1/referrals/{other.pk}/").status_code == 404
    resp = client_for(cast.clerk).get(f"/api/v1/referrals/{r.pk}/")
    assert resp.json()["handler_name"] == "某县公安局"


@pytest.mark.parametrize(
    ("who", "full"),
    [("clerk", True), ("liaison", True), ("office", True), ("admin", True), ("leader", False)],
)
def test_personal_data_in_full_only_for_sender_receiver_and_office(cast, who, full):
    r = sent(cast.clerk, cast.unit)
    user = getattr(cast, who)
    party = client_for(user).get(f"/api/v1/referrals/{r.pk}/").json()["parties"][0]
    page = client_for(user).get(f"/referrals/{r.pk}/").content.decode()
    if full:
        assert party == {"role": "applicant", "name": "张三丰", "id_number": ID, "phone": PHONE}
        assert ID in page
    else:
        assert party == {"role": "applicant", "name": "张**", "id_number": "6201**********1234", "phone": "138****5678"}
        assert ID not in page and "张三丰" not in page and "6201**********1234" in page


def test_exports_are_masked_even_for_the_sender(cast):
    sent(cast.clerk, cast.unit)
    resp = client_for(cast.clerk).get("/referrals/sent/export/")
    assert resp.status_code == 200
    ws = load_workbook(BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2
    text = " ".join(str(v) for v in rows[1] if v)
    assert "张**" in text and "6201**********1234" in text and "138****5678" in text
    assert "张三丰" not in text and ID not in text


def test_export_follows_the_filters_and_the_scope(cast):
    sent(cast.clerk, cast.unit, number="A-1")
    sent(cast.clerk, cast.unit, number="B-1", code="enforcement_inquiry")
    sent(cast.other_clerk, cast.other_unit, number="C-1")
    c = client_for(cast.clerk)
    ws = load_workbook(BytesIO(c.get("/referrals/sent/export/?kind=enforcement_inquiry").content)).active
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == ["B-1"]
    ws = load_workbook(BytesIO(c.get("/referrals/sent/export/").content)).active
    assert sorted(r[1] for r in ws.iter_rows(min_row=2, values_only=True)) == ["A-1", "B-1"]
    assert c.get("/referrals/all/export/").status_code == 404  # only office and leaders read all
