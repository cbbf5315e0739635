"""Forms of the library's pages. They parse input; the services validate the audience and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attachments.forms import AttachmentsField
from fuyuan.lib.forms import BootstrapFormMixin, field
from library.models import LibraryDocument
from library.services import publisher_region
from members.levels import CITY, COUNTY, DEPTH, PROVINCE
from members.models import MemberUnit, Region, WorkTask
from members.widgets import UnitsPicker

A = LibraryDocument.Audience


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def regions_within(region: Region) -> Any:
    """The regions a publisher of ``region`` may choose: its region and below, the province's order."""
    qs = Region.objects.all()
    if region.level == CITY:
        qs = qs.filter(city_id=region.pk)
    elif region.level == COUNTY:
        qs = qs.filter(pk=region.pk)
    return qs.order_by("code")


def split_tags(value: str) -> list[str]:
    """Tags typed as one line: separated by commas (either width), 、, semicolons or spaces."""
    for sep in (",", "、", ";", ";", " ", "\u3000"):
        value = value.replace(sep, ",")
    return [t.strip() for t in value.split(",") if t.strip()]


class DocumentForm(BootstrapFormMixin, forms.Form):
    """Draft or edit a document of the user's unit, with its audience (within the unit's region)."""

    type = forms.ChoiceField(label=_("类型"), choices=LibraryDocument.Type.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    number = forms.CharField(label=_("文号"), max_length=100, required=False)
    issuing_unit = forms.CharField(
        label=_("制发单位"), max_length=100, required=False, help_text=_("如:最高人民法院;留空为发布单位。")
    )
    issued_on = forms.DateField(label=_("发布日期"), widget=DateInput)
    case_number = forms.CharField(label=_("案号"), max_length=100, required=False, help_text=_("典型案例填写。"))
    court = forms.CharField(label=_("审理法院"), max_length=100, required=False, help_text=_("典型案例填写。"))
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"),
        queryset=WorkTask.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("标签"), max_length=400, required=False, help_text=_("多个标签用逗号或空格分隔,最多 10 个。")
    )
    text = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}), required=False)
    audience = forms.ChoiceField(label=_("发布范围"), choices=A.choices, widget=forms.RadioSelect, initial=A.ALL)
    audience_levels = forms.MultipleChoiceField(
        label=_("指定层级"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience_regions = forms.ModelMultipleChoiceField(
        label=_("指定地区"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("所选地区及其下级地区的全部单位。"),
    )
    audience_units = forms.ModelMultipleChoiceField(
        label=_("指定单位"), queryset=MemberUnit.objects.none(), required=False, widget=UnitsPicker()
    )
    attachments = AttachmentsField()

    def __init__(self, *args: Any, unit: MemberUnit, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = publisher_region(unit)
        depth = DEPTH.get(region.level, 0)
        field(self, "tasks", forms.ModelMultipleChoiceField).queryset = WorkTask.objects.order_by("number")
        field(self, "audience_levels", forms.MultipleChoiceField).choices = [
            (code, label) for code, label in Region.Level.choices if DEPTH[code] >= depth
        ]
        field(self, "audience_regions", forms.ModelMultipleChoiceField).queryset = regions_within(region)
        units = field(self, "audience_units", forms.ModelMultipleChoiceField)
        units.queryset = MemberUnit.objects.filter(active=True)
        if region.level != PROVINCE:
            units.widget.scope = {"region": str(region.pk)}
        all_label = _("%(region)s全部单位(本级及下级)") % {"region": region.name}
        field(self, "audience", forms.ChoiceField).choices = [(A.ALL, all_label), *A.choices[1:]]
        self.fields["type"].widget.attrs["data-library-type"] = "1"
        if editing:
            del self.fields["attachments"]

    @classmethod
    def initial_from(cls, document: LibraryDocument) -> dict[str, Any]:
        return {
            "type": document.type,
            "title": document.title,
            "number": document.number,
            "issuing_unit": document.issuing_unit,
            "issued_on": document.issued_on,
            "case_number": document.case_number,
            "court": document.court,
            "tasks": [t.pk for t in document.tasks.all()],
            "tags": " ".join(t.name for t in document.tags.all()),
            "text": document.text,
            "audience": document.audience,
            "audience_levels": list(document.audience_levels or []),
            "audience_regions": [r.pk for r in document.audience_regions.all()],
            "audience_units": [u.pk for u in document.audience_units.all()],
        }

    def service_args(self) -> dict[str, Any]:
        """The cleaned data as the services take it (``fields``, ``audience``, ``tasks``, ``tags``)."""
        data = self.cleaned_data
        return {
            "fields": {
                name: data.get(name)
                for name in ("type", "title", "number", "issuing_unit", "issued_on", "case_number", "court", "text")
            },
            "audience": {
                "kind": data.get("audience"),
                "levels": data.get("audience_levels") or [],
                "regions": list(data.get("audience_regions") or []),
                "units": list(data.get("audience_units") or []),
            },
            "tasks": list(data.get("tasks") or []),
            "tags": split_tags(data.get("tags") or ""),
        }


class WithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
