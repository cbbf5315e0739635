"""Forms of the statistics: a target (指标). The service (stats.targets.target_set) checks the values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.forms import BootstrapFormMixin
from members.models import Region, WorkTask
from stats.models import Target
from stats.targets import figure_choices


class RegionChoiceField(forms.ModelChoiceField):
    """A region, a 县市区 indented under its 市州."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' if obj.level == Region.Level.COUNTY else ''}{obj.name}"


class TargetForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"))
    region = RegionChoiceField(label=_("层级区划"), queryset=Region.objects.none(), empty_label=None)
    task = forms.ModelChoiceField(
        label=_("工作任务"),
        queryset=WorkTask.objects.order_by("number"),
        required=False,
        empty_label=_("整个府院联动机制"),
    )
    figure = forms.ChoiceField(label=_("统计项"))
    comparator = forms.ChoiceField(label=_("比较方式"), choices=Target.Comparator.choices)
    value = forms.DecimalField(
        label=_("目标值"), max_digits=12, decimal_places=2, help_text=_("比率填百分比(如 60 表示 60%),数量填件数。")
    )

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = Region.objects.filter(pk__in=[r.pk for r in regions]).order_by("code")
        figure = self.fields["figure"]
        assert isinstance(figure, forms.ChoiceField)
        figure.choices = figure_choices()
