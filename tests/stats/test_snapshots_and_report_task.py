"""Frozen periods keep their values; the quarterly report is prepared once on the first working day."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from members.models import Notification
from stats.figures import Scope
from stats.models import PreparedReport, Snapshot
from stats.services import first_working_day_of_quarter, prepare_quarterly_report, snapshot_freeze
from tests.conftest import client_for
from tests.stats.conftest import at

pytestmark = pytest.mark.django_db
YEAR = {"period": "year", "year": "2025"}
API = "/api/v1/stats/summary/"


def _cards(client) -> dict:  # type: ignore[no-untyped-def]
    return {c["key"]: c for c in client.get(reverse("dashboard"), YEAR).context["board"]["cards"]}


def test_a_frozen_period_keeps_its_values_after_later_edits(world, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2026, 1, 5, 10), tick=False)
    w = world
    rec = w.rec(date(2025, 3, 1), status="acknowledged", reply_due=date(2025, 5, 1))
    w.consultation(date(2025, 6, 1))
    office = client_for(w.cast.office)
    response = office.post(reverse("stats-freeze"), YEAR)
    assert response.status_code == 302
    snapshot = Snapshot.objects.get()
    assert (snapshot.start, snapshot.end, snapshot.frozen_by) == (date(2025, 1, 1), date(2025, 12, 31), w.cast.office)

    # Later: an old record is edited, another is back-dated into the frozen year.
    time_machine.move_to(at(2026, 2, 1, 10), tick=False)
    type(rec).objects.filter(pk=rec.pk).update(status="replied", replied_at=at(2026, 1, 20, 9))
    w.consultation(date(2025, 7, 1))

    office = client_for(w.cast.office)  # a new session: the old one has expired meanwhile
    cards = _cards(office)
    assert cards["consultations"]["value"] == 1
    assert cards["recommendations_overdue"]["value"] == 1
    assert cards["recommendation_reply_rate"]["numerator"] == 0
    page = office.get(reverse("dashboard"), YEAR).content.decode()
    assert 'data-testid="frozen"' in page and "2026-01-05" in page
    api = office.get(API, {"from": "2025-01-01", "to": "2025-12-31"}).json()
    assert api["figures"]["consultations"] == {"value": 1, "label": "府院联席会商",
                                               "definition": api["figures"]["consultations"]["definition"]}  # fmt: skip
    assert api["frozen_at"].startswith("2026-01-05")
    # Another filter of the same year is not frozen: it shows live values.
    live = office.get(API, {"from": "2025-01-01", "to": "2025-12-31", "region": w.region.pk}).json()
    assert live["frozen_at"] is None

    # Unfreezing shows the live values again.
    office.post(reverse("stats-unfreeze", args=[snapshot.pk]), YEAR)
    cards = _cards(office)
    assert cards["consultations"]["value"] == 2
    assert cards["recommendation_reply_rate"]["numerator"] == 1


def test_only_the_office_freezes_and_only_once(world) -> None:  # type: ignore[no-untyped-def]
    cast = world.cast
    scope = Scope(date(2025, 1, 1), date(2025, 12, 31))
    for user in (cast.liaison, cast.leader, cast.clerk):
        with pytest.raises(NotPermitted):
            snapshot_freeze(scope=scope, by=user)
    snapshot_freeze(scope=scope, by=cast.office)
    with pytest.raises(TransitionNotAllowed):
        snapshot_freeze(scope=scope, by=cast.office)
    assert Snapshot.objects.count() == 1
    # Through the page: a message, nothing written.
    response = client_for(cast.leader).post(reverse("stats-freeze"), YEAR, follow=True)
    assert "只有领导小组办公室" in response.content.decode()
    assert client_for(cast.leader).post(reverse("stats-unfreeze", args=[Snapshot.objects.get().pk])).status_code == 404
    assert Snapshot.objects.count() == 1


def test_first_working_day_of_quarter_follows_the_official_calendar() -> None:
    assert first_working_day_of_quarter(date(2025, 7, 1))  # a Tuesday
    assert not first_working_day_of_quarter(date(2025, 7, 2))
    assert not first_working_day_of_quarter(date(2025, 10, 1))  # National Day holiday (1–8 October 2025)
    assert not first_working_day_of_quarter(date(2025, 10, 8))
    assert first_working_day_of_quarter(date(2025, 10, 9))
    assert not first_working_day_of_quarter(date(2025, 1, 1))  # New Year's Day
    assert first_working_day_of_quarter(date(2025, 1, 2))


def test_quarterly_report_is_prepared_once_and_the_office_notified(world, time_machine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    w = world
    w.rec(date(2025, 8, 1), tasks=[w.task1])
    assert prepare_quarterly_report(today=date(2025, 10, 8)) is None  # still the holiday
    time_machine.move_to(at(2025, 10, 9, 7, 30), tick=False)
    from stats.tasks import prepare_quarterly_report_task

    pk = prepare_quarterly_report_task()
    report = PreparedReport.objects.get(pk=pk)
    assert (report.start, report.end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert report.document.read()[:2] == b"PK"  # a .docx is a zip
    notices = Notification.objects.filter(event="stats_report_ready", recipient=w.cast.office)
    assert notices.count() == 1
    assert "period=quarter&year=2025&quarter=3" in notices.get().url
    # A second beat the same day: no second report, no second notice.
    assert prepare_quarterly_report_task() == pk
    assert PreparedReport.objects.count() == 1
    assert Notification.objects.filter(event="stats_report_ready").count() == 1
    # Not the first working day: nothing.
    assert prepare_quarterly_report(today=date(2025, 10, 10)) is None
    # The office downloads it from the report page; a liaison cannot.
    office = client_for(w.cast.office)
    page = office.get(reverse("stats-report"), {"period": "quarter", "year": "2025", "quarter": "3"})
    assert reverse("stats-prepared-report", args=[pk]) in page.content.decode()
    download = office.get(reverse("stats-prepared-report", args=[pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert client_for(w.cast.liaison).get(reverse("stats-prepared-report", args=[pk])).status_code == 404


def test_quarterly_task_is_scheduled_in_the_database() -> None:
    import importlib

    from django.apps import apps

    if not PeriodicTask.objects.filter(
        task="stats.prepare_quarterly_report"
    ).exists():  # flushed by a transactional test
        importlib.import_module("stats.migrations.0002_quarterly_report_task").create(apps, None)
    task = PeriodicTask.objects.get(task="stats.prepare_quarterly_report")
    assert task.crontab is not None
    assert task.crontab.month_of_year == "1,4,7,10"
    assert str(task.crontab.timezone) == "Asia/Shanghai"


def test_admin_lists_snapshots_and_reports(world) -> None:  # type: ignore[no-untyped-def]
    cast = world.cast
    snapshot_freeze(scope=Scope(date(2025, 1, 1), date(2025, 12, 31)), by=cast.office, label="2025年")
    from tests.factories import make_user

    root = make_user("admin", None, username="root", is_staff=True, is_superuser=True)
    admin = client_for(root)
    assert admin.get("/admin/stats/snapshot/").status_code == 200
    assert admin.get(f"/admin/stats/snapshot/{Snapshot.objects.get().pk}/change/").status_code == 200
    assert admin.get("/admin/stats/preparedreport/").status_code == 200
