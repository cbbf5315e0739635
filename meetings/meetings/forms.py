"""Forms of the meeting pages. They only parse input; the services decide and validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.forms import BootstrapFormMixin, FastSelect, field
from meetings.meetings.models import Invitation, Meeting, MinutesConfirmation
from meetings.meetings.reminders import kind_offsets, offsets_in_words
from members.levels import reach_of, unit_region_q
from members.models import MemberUnit, User, WorkTask
from members.roles import is_office
from members.widgets import UnitPicker, UnitsPicker

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DT_FORMAT, **kwargs)


class OffsetsField(forms.CharField):
    """Reminder offsets typed as minutes, "4320, 120" (a list of ints); blank is None (the kind's default)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ",".join(str(o) for o in value)
        return "" if value is None else value

    def to_python(self, value: Any) -> list[int] | None:  # type: ignore[override]
        raw = (super().to_python(value) or "").replace(",", ",").strip()
        if not raw:
            return None
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("请填写以逗号分隔的分钟数。")) from None


def kind_defaults_help() -> str:
    """The offsets field's help: how to type them, and what a blank field means, in words ("提前3天、2小时")."""
    defaults = kind_offsets()
    words = {kind: offsets_in_words(offsets) for kind, offsets in defaults.items()}
    if len(set(words.values())) == 1:
        default = next(iter(words.values()))
    else:
        default = ";".join(f"{Meeting.Kind(kind).label}:{text}" for kind, text in words.items())
    return gettext("以逗号分隔的分钟数,例如 4320,120 即提前3天和2小时。留空则按会议类型默认(%(default)s)。") % {
        "default": default
    }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def active_units() -> QuerySet[MemberUnit]:
    """The units a form offers (invited, presenter, owner, taking part); lazy, so a field may hold it."""
    return MemberUnit.objects.filter(active=True).order_by("kind", "order", "id")


class MeetingForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    convener = forms.ModelChoiceField(label=_("召集单位"), queryset=MemberUnit.objects.none(), widget=UnitPicker)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeLocalInput())
    location = forms.CharField(label=_("会议地点"), max_length=200, required=False)
    video_link = forms.URLField(label=_("视频会议链接"), max_length=300, required=False, assume_scheme="https")
    invited_units = forms.ModelMultipleChoiceField(
        label=_("参会单位"),
        queryset=active_units(),
        required=False,
        widget=UnitsPicker,
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("工作任务"), queryset=WorkTask.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    agenda_cutoff = forms.DateTimeField(
        label=_("议题征集截止"), required=False, widget=DateTimeLocalInput(), help_text=_("留空则开会前均可提出议题。")
    )
    reminder_offsets = OffsetsField(
        label=_("提前提醒(分钟)"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("按会议类型默认")}),
    )
    description = forms.CharField(label=_("会议说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reminder_offsets"].help_text = kind_defaults_help()
        convener = field(self, "convener", forms.ModelChoiceField)
        if is_office(user):
            # The office convenes for the units of its region and below (the meeting lives there).
            region = reach_of(user).region
            convener.queryset = active_units().filter(unit_region_q(region))
            if region is not None and isinstance(convener.widget, UnitPicker):
                convener.widget.scope["region"] = str(region.pk)  # the picker offers what the field accepts
        else:
            convener.widget = FastSelect(attrs=convener.widget.attrs)  # their own unit only: nothing to search
            convener.queryset = (
                MemberUnit.objects.filter(pk=user.unit_id) if user.unit_id else MemberUnit.objects.none()
            )
            convener.initial = user.unit_id

    @staticmethod
    def initial_from(meeting: Meeting) -> dict[str, Any]:
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "convener": meeting.convener_id,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at),
            "location": meeting.location,
            "video_link": meeting.video_link,
            "invited_units": list(meeting.invitations.values_list("unit_id", flat=True)),
            "tasks": list(meeting.tasks.values_list("pk", flat=True)),
            "agenda_cutoff": timezone.localtime(meeting.agenda_cutoff) if meeting.agenda_cutoff else None,
            "reminder_offsets": ",".join(str(o) for o in meeting.reminder_offsets or []),
            "description": meeting.description,
        }


class RecordForm(MeetingForm):
    """补录已召开会议: the meeting form without what only a coming meeting has (topic cut-off, reminders)."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["agenda_cutoff"], self.fields["reminder_offsets"]
        self.fields["invited_units"].help_text = _("补录不会向参会单位发送通知;会后可登记签到、起草纪要和议定事项。")


class SignInForm(BootstrapFormMixin, forms.Form):
    """One line of the sign-in list (签到表): an invited unit, whether it came, who came."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(label=_("签到"), choices=Invitation.Attendance.choices, required=False)
    signed_names = forms.CharField(label=_("签到人员"), max_length=300, required=False)


SignInFormSet = forms.formset_factory(SignInForm, extra=0, max_num=1000, validate_max=True)


def sign_in_initial(invitations: list[Invitation]) -> list[dict[str, Any]]:
    """The formset's lines: what is recorded, else (nothing recorded yet) the names the unit replied with."""
    return [
        {"unit": i.unit_id, "attendance": i.attendance, "signed_names": i.signed_names or i.attendees}
        for i in invitations
    ]


class ReplyForm(BootstrapFormMixin, forms.Form):
    reply = forms.ChoiceField(
        label=_("答复"),
        choices=[c for c in Invitation.Reply.choices if c[0] != Invitation.Reply.PENDING],
        widget=forms.RadioSelect,
    )
    attendees = forms.CharField(label=_("参会人员(姓名、职务)"), max_length=300, required=False)
    reason = forms.CharField(label=_("不参加原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgendaItemForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("议题"), max_length=200)
    presenter_unit = forms.ModelChoiceField(
        label=_("汇报单位"), queryset=active_units(), required=False, widget=UnitPicker
    )
    minutes = forms.IntegerField(label=_("时长(分钟)"), min_value=1, initial=10)


class ProposalForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("建议议题"), max_length=200)
    minutes = forms.IntegerField(label=_("建议时长(分钟)"), min_value=1, initial=10)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(label=_("纪要正文"), widget=forms.Textarea(attrs={"rows": 10}))


class CirculateForm(BootstrapFormMixin, forms.Form):
    confirm_by = forms.DateField(label=_("确认截止日期"), widget=DateInput())


class ConfirmForm(BootstrapFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("确认意见"),
        choices=[
            (MinutesConfirmation.Verdict.AGREED, _("无意见确认")),
            (MinutesConfirmation.Verdict.AMEND, _("提出修改意见")),
        ],
        initial=MinutesConfirmation.Verdict.AGREED,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("修改意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“提出修改意见”时必填,召集方会立即收到。"),
    )


class IssueForm(BootstrapFormMixin, forms.Form):
    document_number = forms.CharField(label=_("文号"), max_length=60)
    override_reason = forms.CharField(
        label=_("提前印发理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("尚有单位未确认且确认期限未到;理由和决定人将记载在纪要上。"),
    )
