"""签到: after a meeting, the convener side records who came for each invited unit (distinct from the reply).

The list is saved as a whole: every line gets ``signed_at``/``signed_by``, so the figures know which
meetings have a sign-in list (a line left 未登记 on a saved list counts as not attended).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from fuyuan.lib.errors import TransitionNotAllowed
from fuyuan.lib.locking import lock
from meetings.meetings.models import Invitation, Meeting
from meetings.meetings.services import require_manage
from members.models import User

ATTENDED = (Invitation.Attendance.PRESENT, Invitation.Attendance.DELEGATE)
NAMES_MAX = 300


@dataclass(frozen=True)
class SignIn:
    """One line of the sign-in list: the unit, whether it came (an ``Invitation.Attendance`` code), who came."""

    unit_id: int
    attendance: str
    names: str = ""


def _check(line: SignIn, invitation: Invitation | None) -> tuple[str, str]:
    """The line's attendance and names, cleaned; a ValidationError naming the unit otherwise."""
    if invitation is None:
        raise ValidationError({"attendance": [_("签到表中有未受邀的单位。")]})
    unit = invitation.unit.display_name
    if line.attendance not in Invitation.Attendance.values:
        raise ValidationError({"attendance": [_("%(unit)s:请选择出席、委派代表出席或缺席。") % {"unit": unit}]})
    names = " ".join((line.names or "").split())
    if line.attendance in ATTENDED and not names:
        raise ValidationError({"signed_names": [_("%(unit)s:请填写签到人员姓名。") % {"unit": unit}]})
    if len(names) > NAMES_MAX:
        raise ValidationError(
            {"signed_names": [_("%(unit)s:签到人员不能超过%(n)d个字。") % {"unit": unit, "n": NAMES_MAX}]}
        )
    return line.attendance, names if line.attendance in ATTENDED else ""


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, by: User, lines: Iterable[SignIn], now: datetime | None = None
) -> list[Invitation]:
    """Save the sign-in list of a held meeting (the convener side only). Every line is checked before
    anything is written: one bad line saves nothing. Units not named keep their line as it was."""
    now = now or timezone.now()
    meeting = lock(meeting)
    require_manage(by, meeting)
    if meeting.status != Meeting.Status.HELD:
        if meeting.status == Meeting.Status.PLANNED:
            raise TransitionNotAllowed(_("会议召开后才能登记签到。"))
        raise TransitionNotAllowed(_("只有已召开、尚未办结的会议可以登记签到。"))
    invitations = {i.unit_id: i for i in Invitation.objects.filter(meeting=meeting).select_related("unit")}
    for line in lines:
        invitation = invitations.get(line.unit_id)
        attendance, names = _check(line, invitation)
        assert invitation is not None  # _check refused a unit that was not invited
        invitation.attendance, invitation.signed_names = attendance, names
    for invitation in invitations.values():
        invitation.signed_at, invitation.signed_by = now, by
    rows = list(invitations.values())
    bulk_update_with_history(
        rows, Invitation, ["attendance", "signed_names", "signed_at", "signed_by"], default_user=by
    )
    return rows
