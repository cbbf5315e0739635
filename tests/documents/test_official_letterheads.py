"""Letterheads (公文版头): defaults from the unit's name at every level, set in the admin (inline and its own page)
through the service, refused to others."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from fuyuan.lib.errors import NotPermitted
from members.letterheads import default_head, head_of, letterhead_save, office_unit
from members.models import Letterhead, MemberUnit
from tests import levels
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_defaults_at_every_level(cast) -> None:
    province_office = MemberUnit.objects.get(short_name="省司法厅")
    head = head_of(province_office)
    assert head.issuer_mark.endswith("府院联动工作领导小组办公室文件") and head.number_prefix.endswith("府院办")
    county_office = office_unit(levels.region(levels.CHENGGUAN).pk)
    assert county_office is not None
    assert head_of(county_office).issuer_mark == "城关区府院联动工作领导小组办公室文件"
    assert head_of(cast.court).issuer_mark == cast.court.name == head_of(cast.court).signature
    assert default_head(cast.unit).number_prefix == cast.unit.short_name


def test_set_in_the_admin_inline_and_used(cast) -> None:
    client = client_for(cast.admin)
    url = reverse("admin:members_memberunit_change", args=[cast.unit.pk])
    form = {
        "name": cast.unit.name,
        "short_name": cast.unit.short_name,
        "kind": "government",
        "level": cast.unit.level,
        "region": cast.unit.region_id or "",
        "parent": cast.unit.parent_id or "",
        "supervisor": "",
        "order": "10",
        "active": "on",
        "letterhead-TOTAL_FORMS": "1",
        "letterhead-INITIAL_FORMS": "0",
        "letterhead-0-issuer_mark": "测试中院文件",
        "letterhead-0-signature": "测试中院",
        "letterhead-0-number_prefix": "测中",
        "letterhead-0-copy_to": "甲局、乙局",
        "letterhead-0-active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302, (
        (
            [f.formset.errors for f in response.context["inline_admin_formsets"]],
            response.context["adminform"].form.errors,
        )
        if response.context
        else ""
    )
    head = head_of(MemberUnit.objects.select_related("letterhead").get(pk=cast.unit.pk))
    assert (head.issuer_mark, head.signature, head.copy_to) == ("测试中院文件", "测试中院", ("甲局", "乙局"))
    Letterhead.objects.filter(unit=cast.unit).update(active=False)
    assert head_of(MemberUnit.objects.get(pk=cast.unit.pk)).issuer_mark == cast.unit.name  # off: the default
    assert client.get(reverse("admin:members_letterhead_changelist")).status_code == 200


def test_refused_and_bad_input_save_nothing(cast) -> None:
    with pytest.raises(NotPermitted):
        letterhead_save(by=cast.office, unit=cast.unit, issuer_mark="甲", signature="甲")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        letterhead_save(by=cast.admin, unit=cast.unit, issuer_mark="  ", signature="甲")
    assert error.value.message_dict["issuer_mark"] == ["请填写此项。"]
    assert not Letterhead.objects.filter(unit=cast.unit).exists()
