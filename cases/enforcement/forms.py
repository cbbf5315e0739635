"""The form of an enforcement case: it parses input (amounts stay text: the service reads them as exact decimals
and says in Chinese what is wrong); the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.referrals.measures import ENFORCEMENT_INQUIRY
from cases.referrals.models import Referral
from fuyuan.lib.forms import BootstrapFormMixin, field
from members.models import MemberUnit, WorkTask
from members.widgets import UnitsPicker


class EnforcementCaseForm(BootstrapFormMixin, forms.Form):
    case_number = forms.CharField(
        label=_("执行案号"), max_length=100, widget=forms.TextInput(attrs={"placeholder": "（2026）甘01执123号"})
    )
    concluded_on = forms.DateField(label=_("结案日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount_recovered = forms.CharField(
        label=_("到位金额(元)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    amount_paid = forms.CharField(
        label=_("发放案款(元)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("不超过到位金额。"),
    )
    partner_units = forms.ModelMultipleChoiceField(
        label=_("协作单位"),
        queryset=MemberUnit.objects.filter(active=True),
        required=False,
        widget=UnitsPicker,
    )
    referrals = forms.ModelMultipleChoiceField(
        label=_("关联执行查控"), queryset=Referral.objects.none(), required=False
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, court: MemberUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The court's own enforcement inquiries (sent or handled), newest first.
        field(self, "referrals", forms.ModelMultipleChoiceField).queryset = (
            Referral.objects.filter(Q(sender=court) | Q(receiver=court), kind__code=ENFORCEMENT_INQUIRY)
            .exclude(status__in=[Referral.Status.DRAFT, Referral.Status.REVOKED])
            .order_by("-id")
        )
