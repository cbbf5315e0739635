"""Forms of the opinion pages. They only parse input; the services validate and write (errors in Chinese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.opinions.models import Opinion
from fuyuan.lib.forms import BootstrapFormMixin, field
from members.models import MemberUnit, WorkTask
from members.widgets import UnitPicker


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _units() -> Any:
    return MemberUnit.objects.filter(active=True).order_by("kind", "order", "id")


class OpinionForm(BootstrapFormMixin, forms.Form):
    """Ask a court (a liaison: for their unit; the office: for a unit it picks), or offer an opinion (a clerk:
    to a unit it picks, optionally with the answer). ``mode`` is "request", "office" or "offer"."""

    requester = forms.ModelChoiceField(
        label=_("咨询单位"),
        queryset=MemberUnit.objects.none(),
        widget=UnitPicker(scope={"exclude_kind": "court"}),
    )
    court = forms.ModelChoiceField(
        label=_("答复法院"), queryset=MemberUnit.objects.none(), widget=UnitPicker(scope={"kind": "court"})
    )
    kind = forms.ChoiceField(label=_("类别"), choices=Opinion.Kind.choices)
    subject = forms.CharField(label=_("事项"), max_length=200)
    question = forms.CharField(label=_("咨询内容"), widget=forms.Textarea(attrs={"rows": 5}))
    document_title = forms.CharField(
        label=_("文件(决策)名称"),
        max_length=200,
        required=False,
        help_text=_("规范性文件合法性论证必须填写文件草案名称。"),
    )
    document_number = forms.CharField(label=_("文件编号"), max_length=80, required=False)
    due = forms.DateField(
        label=_("答复期限"), required=False, widget=DateInput, help_text=_("留空则为提出之日起 15 个工作日。")
    )
    tasks = forms.ModelMultipleChoiceField(label=_("工作任务"), queryset=WorkTask.objects.none(), required=False)
    answer = forms.CharField(
        label=_("答复意见"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("填写则提供即为已答复;留空可稍后答复。"),
    )

    def __init__(self, *args: Any, mode: str = "request", editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = _units()
        field(self, "requester", forms.ModelChoiceField).queryset = units.exclude(kind=MemberUnit.Kind.COURT)
        field(self, "court", forms.ModelChoiceField).queryset = units.filter(kind=MemberUnit.Kind.COURT)
        field(self, "tasks", forms.ModelMultipleChoiceField).queryset = WorkTask.objects.order_by("number")
        if mode == "request" or editing:
            del self.fields["requester"]
        if mode == "offer":
            del self.fields["court"]
        if mode != "offer" or editing:
            del self.fields["answer"]
        if mode == "office":
            self.fields["requester"].required = False
            self.fields["requester"].help_text = _("留空为本单位。")

    @classmethod
    def initial_from(cls, opinion: Opinion) -> dict[str, Any]:
        return {
            "court": opinion.court_id,
            "kind": opinion.kind,
            "subject": opinion.subject,
            "question": opinion.question,
            "document_title": opinion.document_title,
            "document_number": opinion.document_number,
            "due": opinion.due,
            "tasks": list(opinion.tasks.values_list("pk", flat=True)),
        }


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 5}))


class WithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


ACTION_FORMS: dict[str, type[forms.Form]] = {"answer": AnswerForm, "withdraw": WithdrawForm}
