"""Forms of the hearing pages. They only parse input; the services decide (their ValidationError lands on these
fields through ``fuyuan.lib.forms.submit``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.hearings.models import Hearing
from fuyuan.lib.forms import BootstrapFormMixin
from members.models import MemberUnit, WorkTask
from members.widgets import UnitPicker

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DT_FORMAT, **kwargs)


class TaskChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {obj.title}"


class HearingForm(BootstrapFormMixin, forms.Form):
    case_number = forms.CharField(label=_("案号"), max_length=100, help_text=_("如:(2026)甘01行初12号"))
    defendant = forms.ModelChoiceField(
        label=_("被告行政机关"),
        queryset=MemberUnit.objects.filter(active=True).exclude(kind=MemberUnit.Kind.COURT),
        widget=UnitPicker,
    )
    hearing_at = forms.DateTimeField(label=_("开庭时间"), widget=DateTimeLocalInput(), input_formats=[DT_FORMAT])
    place = forms.CharField(label=_("开庭地点"), max_length=200, required=False)
    summary = forms.CharField(label=_("案情摘要"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    tasks = TaskChoice(
        label=_("工作任务"),
        queryset=WorkTask.objects.order_by("number"),
        required=False,
        help_text=_("留空则为“联动推进法治政府建设”。"),
    )

    @staticmethod
    def initial_from(hearing: Hearing) -> dict[str, Any]:
        return {
            "case_number": hearing.case_number,
            "defendant": hearing.defendant_id,
            "hearing_at": hearing.hearing_at,
            "place": hearing.place,
            "summary": hearing.summary,
            "tasks": list(hearing.tasks.all()),
        }


class NotifyForm(BootstrapFormMixin, forms.Form):
    pass


class AnswerForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("拟出庭人员"), max_length=50)
    post = forms.CharField(label=_("职务"), max_length=100)
    responsible_person = forms.TypedChoiceField(
        label=_("是否负责人(正职或副职)出庭"),
        choices=[("1", _("是")), ("0", _("否"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("负责人不能出庭的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecordForm(BootstrapFormMixin, forms.Form):
    appeared = forms.ChoiceField(label=_("实际出庭"), choices=Hearing.Appeared.choices)
    name = forms.CharField(label=_("出庭人员"), max_length=50, required=False)
    post = forms.CharField(label=_("职务"), max_length=100, required=False)


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "notify": NotifyForm,
    "answer": AnswerForm,
    "record": RecordForm,
    "cancel": CancelForm,
}
