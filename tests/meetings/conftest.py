"""Fixtures of the meetings tests: a meeting between the cast's units, made through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from meetings.meetings import services as meeting_services
from meetings.models import Meeting
from members.models import MemberUnit
from tests.conftest import Cast
from tests.levels_meetings import levels  # noqa: F401  # the level tests' shared fixture


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The filter drop-downs are cached; each test has units of its own."""
    cache.clear()


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def make_meeting(cast: Cast) -> Callable[..., Meeting]:
    def make(
        *,
        by: Any = None,
        starts_at: datetime | None = None,
        hours: int = 2,
        invited: list[MemberUnit] | None = None,
        convener: MemberUnit | None = None,
        now: datetime | None = None,
        **kwargs: Any,
    ) -> Meeting:
        start = starts_at or (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
        return meeting_services.meeting_create(
            by=by or cast.office,
            kind=kwargs.pop("kind", Meeting.Kind.JOINT_MEETING),
            title=kwargs.pop("title", "环境资源审判联席会议"),
            convener=convener or cast.office.unit,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            invited_units=invited if invited is not None else [cast.unit, cast.court],
            location=kwargs.pop("location", "省司法厅三楼会议室"),
            now=now,
            **kwargs,
        )

    return make


def is_session_write(sql: str) -> bool:
    """The session's idle-expiry touch (at most once a minute) and its savepoints: not the page's own work."""
    return sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) or sql.startswith('UPDATE "django_session"')


def page_queries(client: Any, url: str) -> tuple[int, Any]:
    """Queries of one steady-state request (after a warm-up that fills caches), without the session touch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len([q for q in ctx.captured_queries if not is_session_write(q["sql"])]), response
