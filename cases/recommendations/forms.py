"""Forms of the recommendation pages. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.recommendations.models import JudicialRecommendation
from fuyuan.lib.forms import BootstrapFormMixin, field
from members.models import MemberUnit, WorkTask
from members.widgets import UnitPicker, UnitsPicker


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files; the type and size are checked by the service (fuyuan.lib.uploads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.ofd,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _units() -> QuerySet[MemberUnit]:
    return MemberUnit.objects.filter(active=True).order_by("kind", "order", "id")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RecommendationForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(
        label=_("文号"), max_length=80, required=False, help_text=_("如:(2025)甘高法建字第3号;发出前必须填写。")
    )
    case_number = forms.CharField(label=_("案号"), max_length=100, required=False)
    addressee = forms.ModelChoiceField(
        label=_("收文单位"), queryset=MemberUnit.objects.none(), widget=UnitPicker(scope={"exclude_kind": "court"})
    )
    copy_to = forms.ModelMultipleChoiceField(
        label=_("抄送单位"),
        queryset=MemberUnit.objects.none(),
        required=False,
        help_text=_("如复议机关。"),
        widget=UnitsPicker,
    )
    supervisor = forms.ModelChoiceField(
        label=_("主管部门"),
        queryset=MemberUnit.objects.none(),
        required=False,
        help_text=_("留空则取收文单位的主管部门;逾期 30 日未回复时通报此单位。"),
        widget=UnitPicker(scope={"exclude_kind": "court"}),
    )
    tasks = forms.ModelMultipleChoiceField(label=_("工作任务"), queryset=WorkTask.objects.none(), required=False)
    category = forms.ChoiceField(label=_("类别"), choices=JudicialRecommendation.Category.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    problem = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    recommendation = forms.CharField(label=_("建议内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    issued_on = forms.DateField(label=_("发出日期"), required=False, widget=DateInput)
    reply_due = forms.DateField(
        label=_("回复期限"),
        required=False,
        widget=DateInput,
        help_text=_("一般留空:签收后按本院的回复期限自动计算。"),
    )
    attachments = MultipleFileField(
        label=_("附件(签章的建议书等)"), help_text=_("PDF、DOCX、XLSX、OFD、JPEG、PNG,每个不超过 20 MB。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = _units()
        field(self, "addressee", forms.ModelChoiceField).queryset = units.exclude(kind=MemberUnit.Kind.COURT)
        field(self, "copy_to", forms.ModelMultipleChoiceField).queryset = units
        field(self, "supervisor", forms.ModelChoiceField).queryset = units.exclude(kind=MemberUnit.Kind.COURT)
        field(self, "tasks", forms.ModelMultipleChoiceField).queryset = WorkTask.objects.order_by("number")

    @classmethod
    def initial_from(cls, rec: JudicialRecommendation) -> dict[str, Any]:
        return {
            "number": rec.number,
            "case_number": rec.case_number,
            "addressee": rec.addressee_id,
            "copy_to": list(rec.copy_to.values_list("pk", flat=True)),
            "supervisor": rec.supervisor_id,
            "tasks": list(rec.tasks.values_list("pk", flat=True)),
            "category": rec.category,
            "title": rec.title,
            "problem": rec.problem,
            "recommendation": rec.recommendation,
            "issued_on": rec.issued_on,
            "reply_due": rec.reply_due if rec.reply_due_fixed else None,
        }


class IssueForm(BootstrapFormMixin, forms.Form):
    issued_on = forms.DateField(label=_("发出日期"), required=False, widget=DateInput, help_text=_("留空为今天。"))


class ReplyForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("采纳情况"), choices=JudicialRecommendation.Outcome.choices)
    content = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(
        label=_("未采纳理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("未采纳的必须填写。"),
    )
    attachments = MultipleFileField(label=_("回复材料"))


class CloseForm(BootstrapFormMixin, forms.Form):
    assessment = forms.CharField(label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EmptyForm(forms.Form):
    pass


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "issue": IssueForm,
    "acknowledge": EmptyForm,
    "reply": ReplyForm,
    "close": CloseForm,
    "withdraw": WithdrawForm,
    "remind": EmptyForm,
}
