"""Forms of the recommendation pages. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attachments.forms import AttachmentsField
from cases.recommendations.models import JudicialRecommendation
from fuyuan.lib.forms import BootstrapFormMixin, field
from members.models import MemberUnit, WorkTask
from members.widgets import UnitPicker, UnitsPicker


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
    attachments = AttachmentsField(
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


def _today_attr(widget: forms.Widget, bound: str) -> None:
    """The browser's date picker stops at today (``max``) or starts there (``min``); the service checks again."""
    widget.attrs[bound] = timezone.localdate().isoformat()


class ReplyForm(BootstrapFormMixin, forms.Form):
    """The agency's reply. Measures and the rectification deadline belong to an adopting reply, the reason to
    one that does not adopt: the page shows each group for its outcome (CSS ``:has``), the service requires it."""

    outcome = forms.ChoiceField(label=_("采纳情况"), choices=JudicialRecommendation.Outcome.choices)
    content = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(
        label=_("整改措施"),
        widget=forms.Textarea(attrs={"rows": 3, "data-when": "adopting"}),
        required=False,
        help_text=_("采纳或部分采纳的必须填写。"),
    )
    rectification_due = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=DateInput(attrs={"data-when": "adopting"}),
        help_text=_("采纳或部分采纳的必须填写;到期前提醒本单位,逾期未报告整改完成的将预警。"),
    )
    reason = forms.CharField(
        label=_("未采纳理由"),
        widget=forms.Textarea(attrs={"rows": 3, "data-when": "not-adopted"}),
        required=False,
        help_text=_("未采纳的必须填写。"),
    )
    attachments = AttachmentsField(label=_("回复材料"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_attr(self.fields["rectification_due"].widget, "min")


class ApproveForm(BootstrapFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("签发意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("可不填。")
    )


class SendBackForm(BootstrapFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("退回修改意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明需要修改之处;草稿退回起草人。"),
        error_messages={"required": _("退回时请填写核稿意见。")},
    )


class MarkDeliveredForm(BootstrapFormMixin, forms.Form):
    """纸质送达: the date and the signer written on the paper 送达回证."""

    delivered_on = forms.DateField(
        label=_("送达日期"),
        widget=DateInput,
        help_text=_("送达回证上的签收日期,不能晚于今天;回复期限自此日起算。"),
        error_messages={"required": _("请填写送达回证上的签收日期。")},
    )
    signer = forms.CharField(
        label=_("签收人"),
        max_length=50,
        help_text=_("送达回证上签收人的姓名。"),
        error_messages={"required": _("请填写送达回证上的签收人。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_attr(self.fields["delivered_on"].widget, "max")


class RectifiedForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("整改情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明已采取的整改措施及其效果。"),
        error_messages={"required": _("请填写整改情况。")},
    )
    attachments = AttachmentsField(
        label=_("整改材料"), help_text=_("整改的证明材料。PDF、DOCX、XLSX、OFD、JPEG、PNG,每个不超过 20 MB。")
    )


class ScheduleVisitForm(BootstrapFormMixin, forms.Form):
    planned_on = forms.DateField(
        label=_("计划回访日期"),
        widget=DateInput,
        help_text=_("当天上午提醒本院工作人员。"),
        error_messages={"required": _("请填写计划回访日期。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_attr(self.fields["planned_on"].widget, "min")


class VisitForm(BootstrapFormMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("回访结果"),
        choices=JudicialRecommendation.VisitResult.choices,
        help_text=_("“未整改”将通报收文单位的主管部门和本级领导小组办公室。"),
    )
    note = forms.CharField(
        label=_("回访情况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("部分整改或未整改的必须填写。"),
    )
    visited_on = forms.DateField(label=_("回访日期"), required=False, widget=DateInput, help_text=_("留空为今天。"))
    early = forms.BooleanField(
        label=_("整改期限届满前回访"), required=False, help_text=_("整改期限尚未届满时回访,须勾选。")
    )
    attachments = AttachmentsField(label=_("回访材料"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_attr(self.fields["visited_on"].widget, "max")


class CloseForm(BootstrapFormMixin, forms.Form):
    assessment = forms.CharField(label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EmptyForm(forms.Form):
    pass


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "submit": EmptyForm,
    "approve": ApproveForm,
    "send_back": SendBackForm,
    "issue": IssueForm,
    "mark_delivered": MarkDeliveredForm,
    "acknowledge": EmptyForm,
    "reply": ReplyForm,
    "rectified": RectifiedForm,
    "schedule_visit": ScheduleVisitForm,
    "visit": VisitForm,
    "close": CloseForm,
    "withdraw": WithdrawForm,
    "remind": EmptyForm,
}
