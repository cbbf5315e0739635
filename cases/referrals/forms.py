"""Forms of case referrals: the list filters, the referral and its parties, each transition, the upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Party, Referral, ReferralKind
from members.models import MemberUnit, WorkTask


class ReferralFilterForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("类别"),
        queryset=ReferralKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部"),
    )
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *Referral.Status.choices], required=False)
    counterpart = forms.ModelChoiceField(
        label=_("对方单位"), queryset=MemberUnit.objects.filter(active=True), required=False, empty_label=_("全部")
    )
    task = forms.ModelChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.all(), required=False, empty_label=_("全部")
    )
    overdue = forms.ChoiceField(
        label=_("逾期"), choices=[("", _("全部")), ("true", _("已逾期")), ("false", _("未逾期"))], required=False
    )
    from_ = forms.DateField(label=_("移送日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    search = forms.CharField(label=_("搜索"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def add_prefix(self, field_name: str) -> str:
        return "from" if field_name == "from_" else super().add_prefix(field_name)

    def params(self) -> dict[str, Any]:
        """The cleaned filters as the selector takes them."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "kind": d["kind"].code if d.get("kind") else "",
            "status": d.get("status") or "",
            "counterpart": d["counterpart"].pk if d.get("counterpart") else "",
            "task": d["task"].pk if d.get("task") else "",
            "overdue": d.get("overdue") or "",
            "from": d.get("from_"),
            "to": d.get("to"),
            "search": d.get("search") or "",
        }


class ReferralForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("类别"), queryset=ReferralKind.objects.filter(active=True))
    receiver = forms.ModelChoiceField(label=_("接收单位"), queryset=MemberUnit.objects.filter(active=True))
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
        for name, field in self.fields.items():
            if name == "tasks":
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("身份"), choices=Party.Role.choices, initial=Party.Role.APPLICANT)
    name = forms.CharField(label=_("姓名/名称"), max_length=100, required=False)
    id_number = forms.CharField(label=_("证件号码"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


PartyFormSet = forms.formset_factory(PartyForm, extra=2, max_num=20)


def parties_from(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"), widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(
        label=_("办理情况"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )

    def __init__(self, *args: Any, kind: ReferralKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every outcome code is accepted by the form; the service refuses another kind's outcome.
        from cases.models import Outcome

        self.fields["outcome"].choices = kind.outcome_choices() or Outcome.choices


class ForwardForm(forms.Form):
    sub_unit = forms.ModelChoiceField(
        label=_("下级单位"), queryset=MemberUnit.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args: Any, receiver: MemberUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sub_unit"].queryset = MemberUnit.objects.filter(parent=receiver, active=True)


class ExtendForm(forms.Form):
    both_parties_consent = forms.BooleanField(label=_("双方当事人均同意延期"), required=False)
    consent_note = forms.CharField(
        label=_("同意情况记录"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), required=False
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("委派调解表格(XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )
