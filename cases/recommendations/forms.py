"""Forms of the recommendation pages. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import JudicialRecommendation
from members.models import MemberUnit, WorkTask

Status = JudicialRecommendation.Status


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def apply_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the form: on its field when the form has it."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error.messages)  # type: ignore[attr-defined]
        self._mark_invalid()


class FastSelect(forms.Select):
    """A select rendered in Python, not one template per option: lists of units run into thousands."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        from django.utils.html import format_html, format_html_join
        from django.utils.safestring import mark_safe

        final = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
        multiple = self.allow_multiple_selected
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if key in selected else "", label)  # nosec B308  # a constant attribute
                for key, label in ((str(v) if v is not None else "", text) for v, text in self.choices)
            ),
        )
        attrs_html = format_html_join(" ", '{}="{}"', ((k, v) for k, v in final.items() if v not in (None, False)))
        return format_html(
            '<select name="{}"{} {}>{}</select>',
            name,
            mark_safe(" multiple") if multiple else "",  # nosec B308  # a constant attribute
            attrs_html,
            options,
        )


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


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


def _units() -> Any:
    return MemberUnit.objects.filter(active=True).order_by("kind", "order", "id")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RecommendationForm(BootstrapMixin, forms.Form):
    number = forms.CharField(
        label=_("文号"), max_length=80, required=False, help_text=_("如:(2025)甘高法建字第3号;发出前必须填写。")
    )
    case_number = forms.CharField(label=_("案号"), max_length=100, required=False)
    addressee = forms.ModelChoiceField(label=_("收文单位"), queryset=MemberUnit.objects.none(), widget=FastSelect)
    copy_to = forms.ModelMultipleChoiceField(
        label=_("抄送单位"),
        queryset=MemberUnit.objects.none(),
        required=False,
        help_text=_("如复议机关。"),
        widget=FastSelectMultiple(attrs={"size": 6}),
    )
    supervisor = forms.ModelChoiceField(
        label=_("主管部门"),
        queryset=MemberUnit.objects.none(),
        required=False,
        help_text=_("留空则取收文单位的主管部门;逾期 30 日未回复时通报此单位。"),
        widget=FastSelect,
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
        self.fields["addressee"].queryset = units.exclude(kind=MemberUnit.Kind.COURT)  # type: ignore[attr-defined]
        self.fields["copy_to"].queryset = units  # type: ignore[attr-defined]
        self.fields["supervisor"].queryset = units.exclude(kind=MemberUnit.Kind.COURT)  # type: ignore[attr-defined]
        self.fields["tasks"].queryset = WorkTask.objects.order_by("number")  # type: ignore[attr-defined]

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


class IssueForm(BootstrapMixin, forms.Form):
    issued_on = forms.DateField(label=_("发出日期"), required=False, widget=DateInput, help_text=_("留空为今天。"))


class ReplyForm(BootstrapMixin, forms.Form):
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


class CloseForm(BootstrapMixin, forms.Form):
    assessment = forms.CharField(label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WithdrawForm(BootstrapMixin, forms.Form):
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


YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class FilterForm(BootstrapMixin, forms.Form):
    """The list's filters; the values are read by cases.selectors.recommendations.filter_recommendations."""

    q = forms.CharField(
        label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("文号、案号、标题、单位")})
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Status.choices], widget=FastSelect
    )
    court = forms.ModelChoiceField(
        label=_("发出法院"),
        required=False,
        queryset=MemberUnit.objects.none(),
        empty_label=_("全部"),
        widget=FastSelect,
    )
    # A name to search rather than a list: a province has thousands of units. ``?addressee=<id>``
    # (links, the API) still filters by one unit.
    addressee_name = forms.CharField(
        label=_("收文单位"), required=False, widget=forms.TextInput(attrs={"placeholder": _("单位名称")})
    )
    task = forms.ModelChoiceField(
        label=_("工作任务"), required=False, queryset=WorkTask.objects.none(), empty_label=_("全部"), widget=FastSelect
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None, widget=FastSelect)
    overdue = forms.ChoiceField(label=_("逾期"), required=False, choices=YES_NO, widget=FastSelect)
    escalated = forms.ChoiceField(label=_("已通报主管部门"), required=False, choices=YES_NO, widget=FastSelect)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = MemberUnit.objects.filter(active=True).only("id", "name", "kind", "order")
        # The High Court and the intermediate courts; a basic court is filtered by ?court=<id> or search.
        courts = units.filter(kind=MemberUnit.Kind.COURT).filter(
            Q(level__in=[MemberUnit.Level.PROVINCE, MemberUnit.Level.CITY]) | Q(pk=_int_or_none(self.data.get("court")))
        )
        self.fields["court"].queryset = courts.order_by("order", "id")  # type: ignore[attr-defined]
        self.fields["task"].queryset = WorkTask.objects.only("id", "number", "title").order_by("number")  # type: ignore[attr-defined]
        self.fields["year"].choices = [("", _("全部")), *[(y, str(y)) for y in years]]  # type: ignore[attr-defined]
