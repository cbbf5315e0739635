"""The scope queries of consultations run on SQLite too (the default settings' database, a first run).

The consultation scope of a liaison or a clerk is a UNION of two index scans. SQLite refuses an
ORDER BY inside a compound statement, so a part that kept Consultation's default ordering made
``/consultations/`` and ``/consultations/<id>/`` answer 500 there. These tests compile the list,
count, page and detail queries for an in-memory SQLite database and run them there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet, Subquery
from django.db.models.sql import InsertQuery
from django.db.utils import ConnectionHandler
from django.utils import timezone

from meetings.consultations.models import Consultation
from meetings.consultations.selectors import visible_to
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite() -> Iterator[BaseDatabaseWrapper]:
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    connection = handler["default"]
    with connection.schema_editor() as editor:
        for model in apps.get_models():  # every table, empty: a few milliseconds in memory
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    connection.disable_constraint_checking()  # the rows name units that exist only in PostgreSQL
    yield connection
    connection.close()


def _insert(connection: BaseDatabaseWrapper, model: Any, rows: list[dict[str, Any]]) -> None:
    fields = [model._meta.get_field(name) for name in rows[0]]
    query = InsertQuery(model)
    query.insert_values(fields, [model(**row) for row in rows])
    query.get_compiler(connection=connection).execute_sql()


def _rows(connection: BaseDatabaseWrapper, qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    sql, params = qs.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids(connection: BaseDatabaseWrapper, qs: QuerySet[Any]) -> list[int]:
    return [row[0] for row in _rows(connection, qs.values_list("pk", flat=True))]


def _count(connection: BaseDatabaseWrapper, qs: QuerySet[Any]) -> int:
    sql, params = qs.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # nosec B608
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("who", ["liaison", "clerk"])
def test_consultation_scope_runs_on_sqlite(cast: Cast, sqlite: BaseDatabaseWrapper, who: str) -> None:
    user = getattr(cast, who)
    now = timezone.now()
    common = {
        "topic_kind": "major_case",
        "level": "province",
        "case_number": "",
        "outcome": "",
        "follow_up": "",
        "created_at": now,
    }
    other = cast.other_unit.pk
    _insert(
        sqlite,
        Consultation,
        [
            {"id": 1, "held_on": date(2026, 3, 1), "topic": "本单位登记", "logging_unit_id": user.unit_id, **common},
            {"id": 2, "held_on": date(2026, 3, 2), "topic": "本单位参与", "logging_unit_id": other, **common},
            {"id": 3, "held_on": date(2026, 3, 3), "topic": "无关", "logging_unit_id": other, **common},
        ],
    )
    through = Consultation.units.through
    _insert(
        sqlite,
        through,
        [
            {"consultation_id": 2, "memberunit_id": user.unit_id},
            {"consultation_id": 3, "memberunit_id": other},
        ],
    )

    scope = visible_to(user)
    # The list (its order), its count, a deep page by id subquery (DeepPaginator), and the detail.
    assert _ids(sqlite, scope.order_by("-held_on", "-id")) == [2, 1]
    assert _count(sqlite, scope) == 2
    page = scope.order_by("-held_on", "-id")
    assert _ids(sqlite, page.filter(pk__in=Subquery(page.values("pk")[1:2]))) == [1]
    assert _ids(sqlite, scope.select_related("logging_unit", "region", "meeting").filter(pk=2)) == [2]
    assert _ids(sqlite, scope.filter(pk=3)) == []
