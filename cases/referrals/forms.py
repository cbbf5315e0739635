"""Forms of case referrals: the referral and its parties, each transition, the upload.

They only parse input (Bootstrap styling from :class:`fuyuan.lib.forms.BootstrapFormMixin`); the
services validate and write. The list's filters are :mod:`cases.referrals.filters`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.referrals.models import EnforcementMeasure, Outcome, Party, ReferralKind
from fuyuan.lib.forms import BootstrapFormMixin, field
from members.models import MemberUnit, WorkTask
from members.widgets import UnitPicker

SMALL_SELECT = {"class": "form-select-sm"}
SMALL_INPUT = {"class": "form-control-sm"}


class ReferralForm(BootstrapFormMixin, forms.Form):
    kind = forms.ModelChoiceField(label=_("类别"), queryset=ReferralKind.objects.filter(active=True))
    receiver = forms.ModelChoiceField(
        label=_("接收单位"), queryset=MemberUnit.objects.filter(active=True), widget=UnitPicker
    )
    case_number = forms.CharField(label=_("案号/编号"), max_length=100)
    subject = forms.CharField(label=_("事项"), max_length=200)
    summary = forms.CharField(label=_("基本情况"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["kind"].disabled = True


class PartyForm(BootstrapFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("身份"),
        choices=Party.Role.choices,
        initial=Party.Role.APPLICANT,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    name = forms.CharField(label=_("姓名/名称"), max_length=100, required=False, widget=forms.TextInput(SMALL_INPUT))
    id_number = forms.CharField(label=_("证件号码"), max_length=30, required=False, widget=forms.TextInput(SMALL_INPUT))
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False, widget=forms.TextInput(SMALL_INPUT))


PartyFormSet = forms.formset_factory(PartyForm, extra=2, max_num=20)


def parties_from(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConcludeForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"))
    note = forms.CharField(label=_("办理情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, kind: ReferralKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every outcome code is accepted by the form; the service refuses another kind's outcome.
        field(self, "outcome", forms.ChoiceField).choices = kind.outcome_choices() or Outcome.choices


class MeasureForm(BootstrapFormMixin, forms.Form):
    """One measure of an enforcement inquiry's conclusion; the amount is text, validated by the service."""

    measure = forms.ChoiceField(
        label=_("措施"), choices=EnforcementMeasure.Measure.choices, widget=forms.Select(attrs=SMALL_SELECT)
    )
    asset = forms.CharField(label=_("财产类型"), max_length=100, required=False, widget=forms.TextInput(SMALL_INPUT))
    amount = forms.CharField(
        label=_("金额(元)"),
        max_length=30,
        required=False,
        widget=forms.TextInput({**SMALL_INPUT, "inputmode": "decimal", "placeholder": "0.00"}),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False, widget=forms.TextInput(SMALL_INPUT))


MeasureFormSet = forms.formset_factory(MeasureForm, extra=3, max_num=50)


def measures_from(formset: Any) -> list[dict[str, Any]]:
    """The rows a receiver filled in (an asset or an amount); empty rows are left out."""
    return [f.cleaned_data for f in formset.forms if f.cleaned_data.get("asset") or f.cleaned_data.get("amount")]


class ForwardForm(BootstrapFormMixin, forms.Form):
    sub_unit = forms.ModelChoiceField(label=_("下级单位"), queryset=MemberUnit.objects.none())
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args: Any, receiver: MemberUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field(self, "sub_unit", forms.ModelChoiceField).queryset = MemberUnit.objects.filter(
            parent=receiver, active=True
        )


class ExtendForm(BootstrapFormMixin, forms.Form):
    both_parties_consent = forms.BooleanField(label=_("双方当事人均同意延期"), required=False)
    consent_note = forms.CharField(label=_("同意情况记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("委派调解表格(XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
