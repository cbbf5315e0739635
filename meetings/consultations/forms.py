"""The consultation quick form. It only parses input; the services decide and validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.forms import BootstrapFormMixin, field
from meetings.consultations.models import Consultation
from meetings.meetings.forms import DateInput, active_units
from meetings.meetings.models import Meeting
from members.models import WorkTask
from members.widgets import UnitsPicker


class ConsultationForm(BootstrapFormMixin, forms.Form):
    held_on = forms.DateField(label=_("会商日期"), widget=DateInput())
    topic_kind = forms.ChoiceField(label=_("会商类型"), choices=Consultation.TopicKind.choices)
    topic = forms.CharField(label=_("会商议题"), max_length=300)
    units = forms.ModelMultipleChoiceField(label=_("参与单位(含法院)"), queryset=active_units(), widget=UnitsPicker)
    case_number = forms.CharField(label=_("相关案号"), max_length=100, required=False)
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.CharField(label=_("会商结果"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label=_("后续议定事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    meeting = forms.ModelChoiceField(label=_("关联会议(可选)"), queryset=Meeting.objects.none(), required=False)

    def __init__(self, *args: Any, meetings: QuerySet[Meeting] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            field(self, "meeting", forms.ModelChoiceField).queryset = meetings

    @staticmethod
    def initial_from(consultation: Consultation) -> dict[str, Any]:
        return {
            "held_on": consultation.held_on,
            "topic_kind": consultation.topic_kind,
            "topic": consultation.topic,
            "units": list(consultation.units.values_list("pk", flat=True)),
            "case_number": consultation.case_number,
            "tasks": list(consultation.tasks.values_list("pk", flat=True)),
            "outcome": consultation.outcome,
            "follow_up": consultation.follow_up,
            "meeting": consultation.meeting_id,
        }
