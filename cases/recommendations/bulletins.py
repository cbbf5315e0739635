"""The quarterly 通报 of judicial recommendations: which recommendations go in, generating and sending it.

For each supervising authority (``JudicialRecommendation.supervisor``) the bulletin of a quarter lists the
recommendations with an event in that quarter (:func:`reasons_of`, everything judged as it stood at the end of
the quarter):

- ``late_reply``: the reply due date passed in the quarter without a reply, or the reply came late in the quarter;
- ``not_adopted``: a reply in the quarter that does not adopt it;
- ``not_rectified``: a follow-up visit in the quarter found it not rectified, or the rectification deadline passed
  in the quarter and, at the quarter's end, the agency had not reported it done (nor a visit found it rectified);
- ``recurred``: issued in the quarter, repeating an adopted one (``recurrence_of``).

A supervisor with no such recommendation gets no bulletin. :func:`generate_bulletins` is safe to run twice: one
bulletin per supervisor and quarter (a unique constraint; an existing one keeps the rows it was sent with), one
notice per recipient (``members.services.notify``). Each included recommendation becomes readable by the
supervisor's liaisons (``supervisor_informed_at``). The Celery task (:func:`run_scheduled`) acts only on the
first working day of a quarter (the Chinese official calendar), on the quarter just ended.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from cases.recommendations.bulletin_models import BulletinEntry, Reason, RecommendationBulletin
from cases.recommendations.models import JudicialRecommendation
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.workdays import day_start, is_working_day
from members.levels import reach_of, stamp
from members.models import MemberUnit, Region, User
from members.roles import Role, has_role
from members.selectors import ContactDirectory
from members.services import notify

Rec = JudicialRecommendation
EVENT = "recommendation.bulletin"
DAY = timedelta(days=1)
OFFICE_SUFFIX = "府院联动工作领导小组办公室"

# --- Quarters on the official calendar ---------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and the last day of a quarter."""
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def previous_quarter(day: date) -> tuple[int, int]:
    quarter = quarter_of(day)
    return (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)


def first_working_day(year: int, quarter: int) -> date:
    """The quarter's first working day (public holidays skipped, make-up working days counted)."""
    day, _end = quarter_bounds(year, quarter)
    while not is_working_day(day):
        day += DAY
    return day


def is_first_working_day_of_quarter(day: date) -> bool:
    return first_working_day(day.year, quarter_of(day)) == day


# --- Which recommendations, and why --------------------------------------------------------------------


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def _late_reply(rec: JudicialRecommendation, replied_on: date | None, start: date, end: date) -> bool:
    due = rec.reply_due
    if due is None:
        return False
    # The due date passes the day after it; it passed in the quarter without a reply by then.
    passed_unreplied = _within(due + DAY, start, end) and (replied_on is None or replied_on > due)
    replied_late = _within(replied_on, start, end) and replied_on is not None and replied_on > due
    return passed_unreplied or replied_late


def _not_rectified(rec: JudicialRecommendation, start: date, end: date) -> bool:
    if rec.visit_result == Rec.VisitResult.NOT_RECTIFIED and _within(rec.visited_on, start, end):
        return True
    due = rec.rectification_due
    if due is None or rec.reply_outcome not in Rec.ADOPTING or not _within(due + DAY, start, end):
        return False
    reported = _within(_local_day(rec.rectified_at), date.min, end)
    confirmed = _within(rec.visited_on, date.min, end) and rec.visit_result in (
        Rec.VisitResult.RECTIFIED,
        Rec.VisitResult.PARTLY,
    )
    return not (reported or confirmed)


def reasons_of(rec: JudicialRecommendation, start: date, end: date, *, recurs: bool | None = None) -> set[str]:
    """Why ``rec`` belongs in the bulletin of the period [start, end] (empty: it does not).

    ``recurs`` says whether it repeats an earlier one (read from ``recurrence_of`` when not given).
    """
    if rec.issued_at is None or rec.supervisor_id is None:
        return set()
    if rec.status == Rec.Status.WITHDRAWN and _within(_local_day(rec.withdrawn_at), date.min, end):
        return set()
    replied_on = _local_day(rec.replied_at)
    reasons: set[str] = set()
    if _late_reply(rec, replied_on, start, end):
        reasons.add(Reason.LATE_REPLY)
    if rec.reply_outcome == Rec.Outcome.NOT_ADOPTED and _within(replied_on, start, end):
        reasons.add(Reason.NOT_ADOPTED)
    if _not_rectified(rec, start, end):
        reasons.add(Reason.NOT_RECTIFIED)
    if recurs is None:
        recurs = rec.recurrence_of.exists()
    if recurs and _within(rec.issued_on, start, end):
        reasons.add(Reason.RECURRED)
    return reasons


def candidates(start: date, end: date) -> QuerySet[JudicialRecommendation]:
    """The issued recommendations with a supervisor and something dated in or next to the period: a superset
    of the bulletin's rows, which :func:`reasons_of` then judges one by one."""
    recurs = Exists(Rec.recurrence_of.through.objects.filter(from_judicialrecommendation_id=OuterRef("pk")))
    events = (
        Q(reply_due__range=(start - DAY, end - DAY))
        | Q(replied_at__gte=day_start(start), replied_at__lt=day_start(end + DAY))
        | Q(visit_result=Rec.VisitResult.NOT_RECTIFIED, visited_on__range=(start, end))
        | Q(rectification_due__range=(start - DAY, end - DAY))
        | Q(issued_on__range=(start, end), recurs=True)
    )
    return (
        Rec.objects.filter(supervisor__isnull=False, issued_at__isnull=False)
        .annotate(recurs=recurs)
        .filter(events)
        .select_related("court", "addressee")
        .prefetch_related(Prefetch("recurrence_of", queryset=Rec.objects.only("pk", "number", "title")))
        .order_by("supervisor_id", "issued_on", "id")
    )


def collect(start: date, end: date) -> dict[int, list[tuple[JudicialRecommendation, set[str]]]]:
    """The bulletin rows of the period, by supervisor id."""
    found: dict[int, list[tuple[JudicialRecommendation, set[str]]]] = {}
    for rec in candidates(start, end):
        reasons = reasons_of(rec, start, end, recurs=bool(getattr(rec, "recurs", False)))
        if reasons and rec.supervisor_id is not None:
            found.setdefault(rec.supervisor_id, []).append((rec, reasons))
    return found


# --- Generating and sending --------------------------------------------------------------------------


@dataclass
class Generated:
    year: int
    quarter: int
    bulletins: list[RecommendationBulletin] = field(default_factory=list)
    created: int = 0
    sent: int = 0


def check_period(year: int, quarter: int, today: date) -> tuple[date, date]:
    """The period of a quarter that has ended (a bulletin reports on a whole quarter)."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": [_("季度须为 1 至 4。")]})
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": [_("年度须在 2000 年至今年之间。")]})
    start, end = quarter_bounds(year, quarter)
    if end >= today:
        raise ValidationError(
            {
                "quarter": [
                    _("%(year)s年第%(quarter)s季度尚未结束,季度结束后才能生成通报。")
                    % {"year": year, "quarter": quarter}
                ]
            }
        )
    return start, end


def _entry(bulletin: RecommendationBulletin, rec: JudicialRecommendation, reasons: set[str]) -> BulletinEntry:
    earlier = sorted(rec.recurrence_of.all(), key=lambda r: r.pk)
    return BulletinEntry(
        bulletin=bulletin,
        recommendation=rec,
        late_reply=Reason.LATE_REPLY in reasons,
        not_adopted=Reason.NOT_ADOPTED in reasons,
        not_rectified=Reason.NOT_RECTIFIED in reasons,
        recurred=Reason.RECURRED in reasons,
        number=rec.number,
        title=rec.title[:200],
        court_name=rec.court.name[:100],
        addressee_name=rec.addressee.name[:100],
        issued_on=rec.issued_on,
        reply_due=rec.reply_due,
        replied_on=_local_day(rec.replied_at),
        reply_outcome=rec.reply_outcome,
        reply_reason=rec.reply_reason,
        rectification_due=rec.rectification_due,
        rectified_on=_local_day(rec.rectified_at),
        visited_on=rec.visited_on,
        visit_result=rec.visit_result,
        recurrence_numbers="、".join(r.number or r.title for r in earlier)[:500],
    )


def _issuer(region_id: int | None, people: ContactDirectory, names: dict[int | None, str]) -> str:
    """The office that follows the supervisor's level up: the nearest level with office staff (the province's
    when none has; ``names[None]`` is the province's name)."""
    office = people.office_for(region_id)
    office_region = next((u.unit.region_id for u in office if u.unit is not None and u.unit.region_id), None)
    name = names.get(office_region) or names.get(region_id) or names.get(None, "")
    return f"{name}{OFFICE_SUFFIX}"[:100]


def _region_names() -> dict[int | None, str]:
    names: dict[int | None, str] = {}
    for pk, name, level in Region.objects.values_list("pk", "name", "level"):
        names[pk] = name
        if level == Region.Level.PROVINCE:
            names[None] = name
    return names


def _create(
    supervisor: MemberUnit,
    year: int,
    quarter: int,
    rows: list[tuple[JudicialRecommendation, set[str]]],
    issuer: str,
) -> tuple[RecommendationBulletin, bool]:
    """The quarter's bulletin of this supervisor: the existing one (as sent), else a new one with its rows."""
    existing = RecommendationBulletin.objects.filter(supervisor=supervisor, year=year, quarter=quarter).first()
    if existing is not None:
        return existing, False
    start, end = quarter_bounds(year, quarter)
    bulletin = RecommendationBulletin(
        supervisor=supervisor, year=year, quarter=quarter, period_start=start, period_end=end, issuer=issuer
    )
    stamp(bulletin, supervisor)
    for reason in Reason.values:
        setattr(bulletin, f"{reason}_count", sum(1 for _rec, reasons in rows if reason in reasons))
    bulletin.entry_count = len(rows)
    try:
        with transaction.atomic():
            bulletin.save()
            BulletinEntry.objects.bulk_create([_entry(bulletin, rec, reasons) for rec, reasons in rows])
    except IntegrityError:  # a concurrent run made it first
        return RecommendationBulletin.objects.get(supervisor=supervisor, year=year, quarter=quarter), False
    return bulletin, True


def _inform_supervisor(rec_ids: Iterable[int], now: datetime) -> None:
    """The supervisor's liaisons may now read these recommendations (``supervisor_informed_at``, audited)."""
    with transaction.atomic():
        recs = list(Rec.objects.select_for_update().filter(pk__in=list(rec_ids), supervisor_informed_at__isnull=True))
        for rec in recs:
            rec.supervisor_informed_at = now
        if recs:
            bulk_update_with_history(recs, Rec, ["supervisor_informed_at"], default_change_reason="bulletin")


def recipients_of(bulletin: RecommendationBulletin, people: ContactDirectory) -> list[User]:
    """The supervisor's liaisons and the office of the supervisor's level."""
    return [*people.contacts([bulletin.supervisor_id], roles=(Role.LIAISON,)), *people.office_for(bulletin.region_id)]


def send(bulletin: RecommendationBulletin, people: ContactDirectory | None = None) -> bool:
    """Tell the recipients, once: a bulletin already sent is not sent again. Whether it was sent now."""
    people = people or ContactDirectory()
    with transaction.atomic():
        locked = RecommendationBulletin.objects.select_for_update().select_related("supervisor").get(pk=bulletin.pk)
        if locked.sent_at is not None:
            bulletin.sent_at = locked.sent_at
            return False
        told = notify(
            event=EVENT,
            obj=locked,
            stage="sent",
            recipients=recipients_of(locked, people),
            url=locked.get_absolute_url(),
            context={"bulletin": locked},
        )
        if not told:  # nobody to tell yet (no liaison, no office): a later run may send it
            return False
        locked.sent_at = timezone.now()
        locked.save(update_fields=["sent_at"])
        bulletin.sent_at = locked.sent_at
        return True


def generate_bulletins(*, year: int, quarter: int, today: date | None = None) -> Generated:
    """The bulletins of a quarter that has ended, one per supervisor with something to report, each sent once."""
    today = today or timezone.localdate()
    start, end = check_period(year, quarter, today)
    found = collect(start, end)
    result = Generated(year=year, quarter=quarter)
    if not found:
        return result
    people = ContactDirectory()
    people.preload(found)
    supervisors = MemberUnit.objects.select_related("region").in_bulk(list(found))
    names = _region_names()
    now = timezone.now()
    for supervisor_id, rows in found.items():
        supervisor = supervisors[supervisor_id]
        issuer = _issuer(supervisor.region_id, people, names)
        bulletin, created = _create(supervisor, year, quarter, rows, issuer)
        result.created += created
        ids = BulletinEntry.objects.filter(bulletin=bulletin, recommendation__isnull=False)
        _inform_supervisor(ids.values_list("recommendation_id", flat=True), now)
        result.sent += send(bulletin, people)
        result.bulletins.append(bulletin)
    return result


def run_scheduled(*, today: date | None = None) -> Generated | None:
    """The daily task: on the first working day of a quarter, the previous quarter's bulletins; else nothing."""
    today = today or timezone.localdate()
    if not is_first_working_day_of_quarter(today):
        return None
    year, quarter = previous_quarter(today)
    return generate_bulletins(year=year, quarter=quarter, today=today)


def can_generate(user: User) -> bool:
    """Generating a past quarter by hand: administrators and the provincial office (the bulletins are the
    whole province's)."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.OFFICE) and reach_of(user).everything


def generate_by_hand(*, by: User, year: int, quarter: int) -> Generated:
    if not can_generate(by):
        raise NotPermitted(_("只有省级领导小组办公室或系统管理员可以手动生成季度通报。"))
    return generate_bulletins(year=year, quarter=quarter)
