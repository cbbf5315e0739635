"""Forms of the work-plan pages. They only parse input; the services decide and validate the rest (their
ValidationError lands on these fields through ``fuyuan.lib.forms.submit``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attachments.forms import AttachmentsField
from fuyuan.lib.forms import BootstrapFormMixin, field
from members.models import MemberUnit, Region, WorkTask
from members.widgets import UnitPicker, UnitsPicker
from plans.models import Plan, PlanItem, PlanMilestone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def regions_below(region: Region | None) -> QuerySet[Region]:
    """``region`` and the regions below it (every region for the province or None), in code order."""
    qs = Region.objects.order_by("code")
    if region is None or region.level == Region.Level.PROVINCE:
        return qs
    if region.level == Region.Level.CITY:
        return qs.filter(pk=region.pk) | qs.filter(parent_id=region.pk)
    return qs.filter(pk=region.pk)


class PlanForm(BootstrapFormMixin, forms.Form):
    """起草工作要点: the year, the level's region (the office's own or one below it), an optional title."""

    year = forms.IntegerField(label=_("年度"))
    region = forms.ModelChoiceField(label=_("层级区划"), queryset=Region.objects.none(), empty_label=None)
    title = forms.CharField(
        label=_("标题"), max_length=200, required=False, help_text=_("留空则为“某地府院联动某年度工作要点”。")
    )

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field(self, "region", forms.ModelChoiceField).queryset = regions_below(region)


class PlanTitleForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)


class TaskField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {obj.title}"


def _filter_picker(name: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=MemberUnit.objects.all(),
        required=False,
        widget=UnitPicker(attrs={"class": "form-select form-select-sm"}, placeholder=str(_("全部"))),
    )


class UnitFilterForm(forms.Form):
    """The unit pickers of the filter bars (rendered only; the FilterSets read the query string).

    The chosen units are the form's initial values, not bound data: a bound form would be validated when its
    fields render (Django marks an invalid field ``aria-invalid``), one ``get()`` per chosen unit on top of the
    query that reads the chosen units' names. Never validated, it costs that one query.
    """

    lead = _filter_picker("lead")
    unit = _filter_picker("unit")

    def __init__(self, data: Any) -> None:
        super().__init__(initial={name: data.get(name, "") for name in ("lead", "unit")}, auto_id="f-%s")


class ItemForm(BootstrapFormMixin, forms.Form):
    task = TaskField(label=_("工作任务"), queryset=WorkTask.objects.order_by("number"))
    text = forms.CharField(label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 4}))
    lead_unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=MemberUnit.objects.none(), widget=UnitPicker)
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=MemberUnit.objects.none(), required=False, widget=UnitsPicker
    )
    due = forms.DateField(label=_("完成时限"), widget=DateInput())

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The picker offers the active units of the plan's region and below. The field takes any active
        # unit: one outside the region is refused by the service, whose message names the unit and region.
        for name in ("lead_unit", "supporting_units"):
            chosen = field(self, name, forms.ModelChoiceField)
            chosen.queryset = MemberUnit.objects.filter(active=True)
            widget = chosen.widget
            if isinstance(widget, UnitPicker) and plan.region.level != Region.Level.PROVINCE:
                widget.scope = {"region": str(plan.region_id)}
        self.fields["due"].help_text = _("应在 %(year)s 年度内。") % {"year": plan.year}


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=200, required=False)
    due = forms.DateField(label=_("节点时限"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update({"class": "form-control form-control-sm"})
        self.fields["due"].widget.attrs.update({"class": "form-control form-control-sm"})


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, max_num=20, validate_max=True)


def milestones_from(formset: Any) -> list[tuple[str, date | None]]:
    return [
        (f.cleaned_data.get("title", ""), f.cleaned_data.get("due"))
        for f in formset.forms
        if f.cleaned_data.get("title", "").strip()
    ]


class ProgressForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(
        label=_("完成进度(%)"), required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )
    milestone = forms.ModelChoiceField(
        label=_("完成节点"), queryset=PlanMilestone.objects.none(), required=False, empty_label=_("(无)")
    )
    attachments = AttachmentsField(label=_("进展材料"))

    def __init__(self, *args: Any, item: PlanItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any of the item's milestones is a valid choice; the unreached ones are offered.
        chosen = field(self, "milestone", forms.ModelChoiceField)
        chosen.queryset = PlanMilestone.objects.filter(item=item)
        chosen.choices = [("", _("(无)"))] + [(m.pk, m.title) for m in item.milestones.all() if m.reached_at is None]


class SummaryForm(BootstrapFormMixin, forms.Form):
    summary = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class SuperviseForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("督办内容"), widget=forms.Textarea(attrs={"rows": 3}))
    due = forms.DateField(label=_("答复时限"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due"].widget.attrs["min"] = timezone.localdate().isoformat()


class AnswerForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}))
