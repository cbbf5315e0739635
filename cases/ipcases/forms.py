"""The IP case form and the import upload. They only parse input; the services decide and validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.ipcases.models import IPCase
from fuyuan.lib.forms import BootstrapFormMixin, FastSelect, field
from members.models import MemberUnit, WorkTask
from members.widgets import UnitPicker


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class IPCaseForm(BootstrapFormMixin, forms.Form):
    court = forms.TypedChoiceField(label=_("承办法院"), coerce=int, widget=FastSelect(), required=False)
    case_number = forms.CharField(
        label=_("案号"), max_length=100, help_text=_("按裁判文书填写,如 (2026)甘01知民初12号。")
    )
    kind = forms.ChoiceField(label=_("案件类型"), choices=IPCase.Kind.choices)
    concluded_on = forms.DateField(label=_("结案日期"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("结案方式"), choices=IPCase.Outcome.choices)
    mediated_by = forms.ModelChoiceField(
        label=_("调解组织(可选)"),
        queryset=MemberUnit.objects.filter(active=True),
        required=False,
        widget=UnitPicker(scope={"exclude_kind": "court"}),
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.order_by("number"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, courts: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        """``courts``: the courts the office may record for (None: a clerk records for their own court)."""
        super().__init__(*args, **kwargs)
        if courts is None:
            del self.fields["court"]
        else:
            court = field(self, "court", forms.TypedChoiceField)
            court.choices = [("", _("请选择")), *courts]
            court.required = True

    def clean_court(self) -> MemberUnit | None:
        value = self.cleaned_data.get("court")
        return MemberUnit.objects.filter(pk=value).first() if value else None

    @staticmethod
    def initial_from(case: IPCase) -> dict[str, Any]:
        return {
            "case_number": case.case_number,
            "kind": case.kind,
            "concluded_on": case.concluded_on,
            "outcome": case.outcome,
            "mediated_by": case.mediated_by_id,
            "tasks": [t.pk for t in case.tasks.all()],
            "note": case.note,
        }


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("知识产权案件表格(XLSX)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
