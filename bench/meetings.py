"""Meetings: 20,000 meetings, 100,000 consultations, 50,000 decisions, spread over the levels
(15 % province, 35 % 市州, 50 % 县市区; ``bench.tree``).

Measured: the reminder scan with nothing due and with 500 due reminders, the decision follow-up
list, the consultation list and the meeting list at page 1 and page 200 (equal query counts), the
same lists through the API, and the calendar feed of a unit invited to 500 meetings.

Run alone with ``python -m bench --only meetings`` (or ``python -m bench.meetings``).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from bench.runner import Report, client_for, get_ok

MEETINGS = 20_000
CONSULTATIONS = 100_000
DECISIONS = 50_000
FEED_MEETINGS = 500
DUE = 500
PREFIX = "[基准]"
OFFICE = "bench-meetings-office"
FEED_USER = "bench-meetings-feed"
BATCH = 5000


def _units() -> list[Any]:
    from members.models import MemberUnit

    return list(MemberUnit.objects.filter(active=True).order_by("pk")[:60])


def _ensure_people(units: list[Any]) -> None:
    """An office account, and two liaisons (A and B) for each unit, so that notices have recipients."""
    from django.contrib.auth.models import Group

    from members.models import Liaison, User
    from members.roles import Role

    if not User.objects.filter(username=OFFICE).exists():
        office = User.objects.create(username=OFFICE, name="基准办公室", password="!")
        office.groups.add(Group.objects.get(name=Role.OFFICE))
    liaison_group = Group.objects.get(name=Role.LIAISON)
    existing = set(User.objects.filter(username__startswith="bench-m-liaison-").values_list("username", flat=True))
    new = [
        User(username=f"bench-m-liaison-{u.pk}-{ab}", name=f"基准联络员{u.pk}{ab}", unit=u, password="!")
        for u in units
        for ab in "ab"
        if f"bench-m-liaison-{u.pk}-{ab}" not in existing
    ]
    created = User.objects.bulk_create(new)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=liaison_group.pk) for u in created]
    )
    Liaison.objects.bulk_create(
        [Liaison(user=u, role="primary" if u.username.endswith("-a") else "backup") for u in created]
    )
    if not User.objects.filter(username=FEED_USER).exists():
        feed_user = User.objects.create(username=FEED_USER, name="基准订阅人", unit=units[0], password="!")
        feed_user.groups.add(liaison_group)


def _by_region(places: Any) -> tuple[list[int], dict[int, dict[str, Any]]]:
    """The regions, and per region its office unit, its court and its departments (ids)."""
    court_level = {"province": "high", "city": "intermediate", "county": "basic"}
    out: dict[int, dict[str, Any]] = {}
    for region_id, level in places.level_of_region.items():
        depts = places.in_region(region_id, "government")
        offices = [u for u in depts if places.units[u].hosts_office]
        courts = places.in_region(region_id, "court", court_level[level])
        if len(depts) >= 3 and courts:
            out[region_id] = {"office": (offices or depts)[0], "court": courts[0], "depts": depts, "level": level}
    return sorted(out), out


def _pick_region(rnd: random.Random, ids: list[int], by_region: dict[int, dict[str, Any]]) -> int:
    """15 % province, 35 % 市州, 50 % 县市区."""
    roll = rnd.random()
    level = "province" if roll < 0.15 else ("city" if roll < 0.5 else "county")
    return rnd.choice([r for r in ids if by_region[r]["level"] == level] or ids)


def build() -> None:
    from django.db import transaction
    from django.utils import timezone

    from bench import tree
    from meetings.models import Consultation, Decision, Invitation, Meeting
    from members.models import WorkTask

    units = _units()
    _ensure_people(units)
    if Meeting.objects.filter(title__startswith=PREFIX).count() >= MEETINGS:
        return
    started = time.perf_counter()
    rnd = random.Random(4)
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    places = tree.Places.load()
    region_ids, by_region = _by_region(places)
    tasks = list(WorkTask.objects.all())
    feed_unit = units[0]
    kinds = [k for k, _ in Meeting.Kind.choices]

    with transaction.atomic():
        meetings: list[Meeting] = []
        invited_of: list[list[int]] = []
        for i in range(MEETINGS):
            if i < FEED_MEETINGS:  # the feed unit's 500 meetings, recent and coming
                start = now + timedelta(days=rnd.randint(-150, 200), hours=rnd.randint(0, 8))
            else:
                start = now + timedelta(days=rnd.randint(-730, 365), hours=rnd.randint(0, 8))
            future = start > now
            status = "planned" if future else ("cancelled" if i % 17 == 0 else "closed")
            next_alert = None
            if future and status == "planned":
                rung = start - timedelta(days=3)
                next_alert = rung if rung > now + timedelta(hours=1) else start - timedelta(hours=2)
                if next_alert <= now + timedelta(minutes=30):
                    next_alert = None
            place = by_region[_pick_region(rnd, region_ids, by_region)]
            invited = [place["court"], *rnd.sample(place["depts"], 2)]
            if i < FEED_MEETINGS:
                invited[0] = feed_unit.pk
            invited_of.append(invited)
            region_id, city_id = places.common(place["office"])  # a meeting lives where its convener is
            meetings.append(
                Meeting(
                    kind=kinds[i % len(kinds)],
                    title=f"{PREFIX}第{i:05d}次联席会议",
                    convener_id=place["office"],
                    level=place["level"],
                    region_id=region_id,
                    city_id=city_id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    location="会议室",
                    status=status,
                    next_alert_at=next_alert,
                )
            )
        meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        Invitation.objects.bulk_create(
            [
                Invitation(meeting_id=m.pk, unit_id=u, reply="pending")
                for m, invited in zip(meetings, invited_of, strict=True)
                for u in dict.fromkeys(invited)
            ],
            batch_size=BATCH,
        )

        past = [(m, inv) for m, inv in zip(meetings, invited_of, strict=True) if m.status == "closed"]
        decisions = []
        owners = []
        for i in range(DECISIONS):
            m, invited = past[i % len(past)]
            meeting_day = timezone.localdate(m.starts_at)
            due = meeting_day + timedelta(days=rnd.randint(10, 400))
            done = i % 5 >= 2  # 40 % open
            next_alert = None
            if not done:
                soon = timezone.make_aware(datetime.combine(due - timedelta(days=3), datetime.min.time())) + timedelta(
                    hours=9
                )
                over = timezone.make_aware(datetime.combine(due + timedelta(days=1), datetime.min.time())) + timedelta(
                    hours=9
                )
                next_alert = next((t for t in (soon, over) if t > now + timedelta(hours=1)), None)
            owners.append((invited[1 + i % 2], invited[0]))
            decisions.append(
                Decision(
                    meeting_id=m.pk,
                    text=f"{PREFIX}议定事项{i:05d}:落实联动工作",
                    owner_unit_id=owners[-1][0],
                    due=due,
                    status="done" if done else "open",
                    done_at=now if done else None,
                    next_alert_at=next_alert,
                    region_id=m.region_id,  # a decision lives where its meeting does
                    city_id=m.city_id,
                )
            )
        decisions = Decision.objects.bulk_create(decisions, batch_size=BATCH)
        Decision.supporting_units.through.objects.bulk_create(
            [
                Decision.supporting_units.through(decision_id=d.pk, memberunit_id=owner[1])
                for d, owner in zip(decisions, owners, strict=True)
                if owner[1] != owner[0]
            ],
            batch_size=BATCH,
        )

        rows_units: list[tuple[int, int]] = []
        consultations = []
        for i in range(CONSULTATIONS):
            place = by_region[_pick_region(rnd, region_ids, by_region)]
            logging_unit = place["court"] if i % 3 == 0 else rnd.choice(place["depts"])
            other = rnd.choice(place["depts"]) if i % 3 == 0 else place["court"]
            rows_units.append((logging_unit, other))
            region_id, city_id = places.common(logging_unit)  # where its logging unit is
            consultations.append(
                Consultation(
                    topic_kind=("legal_issue", "major_case", "emergency", "routine")[i % 4],
                    held_on=today - timedelta(days=rnd.randint(0, 1095)),
                    level=place["level"],
                    region_id=region_id,
                    city_id=city_id,
                    topic=f"{PREFIX}会商{i:06d}",
                    case_number=f"(2026)甘{i % 99:02d}民初{i}号",
                    logging_unit_id=logging_unit,
                )
            )
        consultations = Consultation.objects.bulk_create(consultations, batch_size=BATCH)
        through = Consultation.units.through
        through.objects.bulk_create(
            [
                through(consultation_id=c.pk, memberunit_id=u)
                for c, pair in zip(consultations, rows_units, strict=True)
                for u in dict.fromkeys(pair)
            ],
            batch_size=BATCH,
        )
        if tasks:
            task_through = Consultation.tasks.through
            task_through.objects.bulk_create(
                [
                    task_through(consultation_id=c.pk, worktask_id=tasks[i % len(tasks)].pk)
                    for i, c in enumerate(consultations)
                ],
                batch_size=BATCH,
            )
    with_connection_analyze()
    print(
        f"    dataset: {MEETINGS} meetings, {CONSULTATIONS} consultations, {DECISIONS} decisions "
        f"built in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def with_connection_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "meetings_meeting",
            "meetings_invitation",
            "meetings_decision",
            "meetings_decision_supporting_units",
            "meetings_consultation",
            "meetings_consultation_units",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")  # the visibility map lets counts use index-only scans


def _scan_with_due(units: list[Any]) -> tuple[float, int]:
    """Make 250 meetings and 250 decisions due, scan once, count the notices; then roll it all back."""
    from django.db import transaction
    from django.utils import timezone

    from meetings.meetings import reminders
    from meetings.models import Decision, Meeting
    from members.models import Notification

    class Rollback(Exception):
        pass

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            now = timezone.now()
            start = now + timedelta(hours=1)
            meeting_ids = list(
                Meeting.objects.filter(title__startswith=PREFIX, status="planned")
                .order_by("pk")
                .values_list("pk", flat=True)[: DUE // 2]
            )
            Meeting.objects.filter(pk__in=meeting_ids).update(
                starts_at=start, ends_at=start + timedelta(hours=2), next_alert_at=now - timedelta(minutes=1)
            )
            decision_ids = list(
                Decision.objects.filter(text__startswith=PREFIX, status="open")
                .order_by("pk")
                .values_list("pk", flat=True)[: DUE - len(meeting_ids)]
            )
            Decision.objects.filter(pk__in=decision_ids).update(
                due=timezone.localdate() + timedelta(days=2), next_alert_at=now - timedelta(minutes=1)
            )
            before = Notification.objects.count()
            t0 = time.perf_counter()
            counts = reminders.scan_reminders(now=now)
            result["ms"] = (time.perf_counter() - t0) * 1000
            result["notices"] = Notification.objects.count() - before
            result["rows"] = counts["meetings"] + counts["decisions"]
            raise Rollback
    except Rollback:
        pass
    return result["ms"], result["notices"]


def run(report: Report) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from meetings.meetings import ical, reminders
    from members.models import User

    build()
    with_connection_analyze()
    units = _units()
    # Catch up whatever came due since the dataset was built, so that "nothing due" is true.
    t0 = time.perf_counter()
    reminders.scan_reminders()
    report.record("meetings: catch-up scan before measuring", (time.perf_counter() - t0) * 1000)

    def scan() -> Any:
        return reminders.scan_reminders()

    report.measure(
        "meetings: reminder scan, nothing due",
        scan,
        repeat=50,
        target_p95_ms=5,
        target_queries=2,  # one index-only lookup per model
        check=lambda r: _expect(r == {"meetings": 0, "decisions": 0}, f"scan found work: {r}"),
    )

    timings, notices = [], 0
    for _ in range(3):
        ms, notices = _scan_with_due(units)
        timings.append(ms)
    report.record(
        f"meetings: reminder scan, {DUE} due → notices",
        statistics.median(timings),
        target_ms=5000,
        note=f"{notices} notices (unit liaisons A+B, office), rolled back",
    )

    client = client_for(OFFICE)
    pages = [
        ("decision follow-up list", "/decisions/"),
        ("consultation list", "/consultations/"),
        ("meeting list", "/meetings/"),
        ("API decisions/", "/api/v1/decisions/"),
        ("API consultations/", "/api/v1/consultations/"),
        ("API meetings/", "/api/v1/meetings/"),
    ]
    for label, url in pages:
        counts = []
        for page in (1, 200):
            sep = "&" if "?" in url else "?"
            row = report.measure(
                f"meetings: {label} page {page}",
                get_ok(client, f"{url}{sep}page={page}"),
                target_p95_ms=50,
                target_queries=10,
            )
            counts.append(row.queries)
        _expect(counts[0] == counts[1], f"{label}: page 1 and page 200 differ in queries {counts}")

    feed_user = User.objects.get(username=FEED_USER)
    token = ical.feed_token_get_or_create(user=feed_user).token
    anonymous = Client()
    url = f"/meetings/feed/{token}.ics"
    with CaptureQueriesContext(connection):
        body = anonymous.get(url).content
    events = body.count(b"BEGIN:VEVENT")
    since = timezone.now() - timedelta(days=180)
    from meetings.meetings import selectors

    def build_feed() -> bytes:  # what a cache miss costs: the rows and the writing, without the cache
        rows = selectors.feed_meetings(unit_id=feed_user.unit_id, since=timezone.now() - timedelta(days=180))
        return ical.feed_ics(rows.values(*ical.FEED_FIELDS), name="feed")

    report.measure(
        f"meetings: unit calendar feed, cache miss ({events} meetings)",
        build_feed,
        repeat=20,
        target_p95_ms=100,
        target_queries=1,
    )
    report.measure(
        f"meetings: unit calendar feed request ({events} meetings)",
        get_ok(anonymous, url),
        repeat=20,
        target_p95_ms=100,
        target_queries=2,
        note=f"meetings since {since:%Y-%m-%d}",
    )


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


if __name__ == "__main__":
    from bench.runner import setup_django

    setup_django()
    r = Report()
    print(Report.header())
    run(r)
