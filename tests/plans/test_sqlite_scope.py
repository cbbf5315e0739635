"""A liaison's plan scope runs on SQLite too (a new user's `make run`).

The scope is ``pk IN (led UNION supported)`` (plans.selectors.items_of_units). SQLite refuses an ORDER BY
inside a compound statement, and PlanItem has a default ordering: this compiles the list, count and detail
queries of items, plans and 督办 for an in-memory SQLite database and runs them there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from plans import selectors
from plans.models import Plan, PlanItem, Supervision
from tests import levels
from tests.meetings.test_sqlite_scope import _count, _ids, _insert, sqlite  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_a_liaisons_items_plans_and_supervisions_run_on_sqlite(sqlite: BaseDatabaseWrapper) -> None:  # noqa: F811
    lead, support, other = (levels.unit_at(levels.PROVINCE, f"单位{n}") for n in "甲乙丙")
    liaison = levels.liaison_at(support)
    province = levels.region(levels.PROVINCE)
    now = timezone.now()
    _insert(
        sqlite,
        Plan,
        [{"id": 1, "year": 2026, "region_id": province.pk, "title": "要点", "status": "published", "created_at": now}],
    )
    item: dict[str, Any] = {"plan_id": 1, "task_id": 1, "due": date(2026, 6, 30), "region_id": province.pk}
    item |= {"year": 2026, "status": "open", "percent": 0, "created_at": now, "number": 1}
    item |= {"done_summary": "", "return_reason": ""}
    _insert(
        sqlite,
        PlanItem,
        [
            {"id": 1, "text": "本单位牵头", "lead_unit_id": support.pk, **item},
            {"id": 2, "text": "本单位配合", "lead_unit_id": lead.pk, **item},
            {"id": 3, "text": "无关", "lead_unit_id": other.pk, **item},
        ],
    )
    _insert(sqlite, PlanItem.supporting_units.through, [{"planitem_id": 2, "memberunit_id": support.pk}])
    sup = {"text": "督办", "due": date(2026, 7, 1), "status": "open", "issued_at": now, "region_id": province.pk}
    sup |= {"answer": ""}
    _insert(sqlite, Supervision, [{"id": 1, "item_id": 2, **sup}, {"id": 2, "item_id": 3, **sup}])

    items = selectors.visible_to(liaison)
    assert _ids(sqlite, items.order_by("due", "id")) == [1, 2]
    assert _count(sqlite, items) == 2
    assert _ids(sqlite, items.select_related("plan", "lead_unit").filter(pk=3)) == []
    assert _ids(sqlite, selectors.plans_visible_to(liaison).order_by("id")) == [1]  # (no region rows here to order by)
    assert _ids(sqlite, selectors.supervisions_visible_to(liaison).order_by("id")) == [1]
