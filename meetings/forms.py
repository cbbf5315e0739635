"""Forms of the meetings pages. They only parse input; the services decide and validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetings.models import Consultation, Invitation, Meeting
from members.models import MemberUnit, Region, User, WorkTask
from members.roles import is_office

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DT_FORMAT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _units() -> Any:
    return MemberUnit.objects.filter(active=True).order_by("kind", "order", "id")


class BootstrapMixin:
    """Give every widget Bootstrap's classes."""

    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class MeetingForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    convener = forms.ModelChoiceField(label=_("召集单位"), queryset=MemberUnit.objects.none())
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeLocalInput())
    location = forms.CharField(label=_("会议地点"), max_length=200, required=False)
    video_link = forms.URLField(label=_("视频会议链接"), max_length=300, required=False, assume_scheme="https")
    level = forms.ChoiceField(label=_("层级"), choices=MemberUnit.Level.choices)
    region = forms.ModelChoiceField(label=_("市州"), queryset=Region.objects.all(), required=False)
    invited_units = forms.ModelMultipleChoiceField(
        label=_("参会单位"),
        queryset=MemberUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    agenda_cutoff = forms.DateTimeField(
        label=_("议题征集截止"), required=False, widget=DateTimeLocalInput(), help_text=_("留空则开会前均可提出议题。")
    )
    reminder_offsets = forms.CharField(
        label=_("提前提醒(分钟)"),
        required=False,
        help_text=_("以逗号分隔,例如 4320,120 即提前3天和2小时;留空按会议类型的默认设置。"),
    )
    description = forms.CharField(label=_("会议说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invited_units"].queryset = _units()
        if is_office(user):
            self.fields["convener"].queryset = _units()
        else:
            self.fields["convener"].queryset = MemberUnit.objects.filter(pk=user.unit_id)
            self.fields["convener"].initial = user.unit_id
        self._style()

    def clean_reminder_offsets(self) -> list[int] | None:
        raw = (self.cleaned_data.get("reminder_offsets") or "").replace(",", ",").strip()
        if not raw:
            return None
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("请填写以逗号分隔的分钟数。")) from None

    @staticmethod
    def initial_from(meeting: Meeting) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "convener": meeting.convener_id,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at),
            "location": meeting.location,
            "video_link": meeting.video_link,
            "level": meeting.level,
            "region": meeting.region_id,
            "invited_units": list(meeting.invitations.values_list("unit_id", flat=True)),
            "tasks": list(meeting.tasks.values_list("pk", flat=True)),
            "agenda_cutoff": timezone.localtime(meeting.agenda_cutoff) if meeting.agenda_cutoff else None,
            "reminder_offsets": ",".join(str(o) for o in meeting.reminder_offsets or []),
            "description": meeting.description,
        }


class ReplyForm(BootstrapMixin, forms.Form):
    reply = forms.ChoiceField(
        label=_("答复"),
        choices=[c for c in Invitation.Reply.choices if c[0] != Invitation.Reply.PENDING],
        widget=forms.RadioSelect,
    )
    attendees = forms.CharField(label=_("参会人员(姓名、职务)"), max_length=300, required=False)
    reason = forms.CharField(label=_("不参加原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["reply"].widget.attrs.pop("class", None)


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class AgendaItemForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("议题"), max_length=200)
    presenter_unit = forms.ModelChoiceField(label=_("汇报单位"), queryset=MemberUnit.objects.none(), required=False)
    minutes = forms.IntegerField(label=_("时长(分钟)"), min_value=1, initial=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter_unit"].queryset = _units()
        self._style()


class ProposalForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("建议议题"), max_length=200)
    minutes = forms.IntegerField(label=_("建议时长(分钟)"), min_value=1, initial=10)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class MinutesForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("纪要正文"), widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class CirculateForm(BootstrapMixin, forms.Form):
    confirm_by = forms.DateField(label=_("确认截止日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ConfirmForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(label=_("意见(可不填)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class IssueForm(BootstrapMixin, forms.Form):
    document_number = forms.CharField(label=_("文号"), max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class DecisionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_unit = forms.ModelChoiceField(label=_("牵头落实单位"), queryset=MemberUnit.objects.none())
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=MemberUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    due = forms.DateField(label=_("完成时限"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = _units()
        self.fields["supporting_units"].queryset = _units()
        self._style()


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["note"].label = label
        self._style()


class ConsultationForm(BootstrapMixin, forms.Form):
    held_on = forms.DateField(label=_("会商日期"), widget=DateInput())
    topic_kind = forms.ChoiceField(label=_("会商类型"), choices=Consultation.TopicKind.choices)
    topic = forms.CharField(label=_("会商议题"), max_length=300)
    units = forms.ModelMultipleChoiceField(
        label=_("参与单位(含法院)"), queryset=MemberUnit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    level = forms.ChoiceField(label=_("层级"), choices=MemberUnit.Level.choices)
    region = forms.ModelChoiceField(label=_("市州"), queryset=Region.objects.all(), required=False)
    case_number = forms.CharField(label=_("相关案号"), max_length=100, required=False)
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.CharField(label=_("会商结果"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label=_("后续议定事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    meeting = forms.ModelChoiceField(label=_("关联会议(可选)"), queryset=Meeting.objects.none(), required=False)

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units()
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
        self._style()

    @staticmethod
    def initial_from(consultation: Consultation) -> dict[str, Any]:
        return {
            "held_on": consultation.held_on,
            "topic_kind": consultation.topic_kind,
            "topic": consultation.topic,
            "units": list(consultation.units.values_list("pk", flat=True)),
            "level": consultation.level,
            "region": consultation.region_id,
            "case_number": consultation.case_number,
            "tasks": list(consultation.tasks.values_list("pk", flat=True)),
            "outcome": consultation.outcome,
            "follow_up": consultation.follow_up,
            "meeting": consultation.meeting_id,
        }
