"""The library's panel on the home page: "新共享文件 (N)", what is new for the user (``selectors.new_for``)."""

from __future__ import annotations

from library.selectors import new_for
from members.home import Panel
from members.models import User

LIMIT = 6
#: The count stops here ("99+"): a reader who has not opened the library for months need not count them all.
COUNT_CAP = 99


def new_documents_panel(user: User) -> Panel | None:
    """Published documents in the user's audience that the user has not opened (none: no panel)."""
    if not user.unit_id:
        return None
    qs = new_for(user)
    rows = list(qs.select_related("publisher_unit")[: LIMIT + 1])
    if not rows:
        return None
    count = len(rows) if len(rows) <= LIMIT else qs.values("pk")[: COUNT_CAP + 1].count()
    context = {
        "rows": rows[:LIMIT],
        "more": len(rows) > LIMIT,
        "count": min(count, COUNT_CAP),
        "capped": count > COUNT_CAP,
    }
    return Panel(template="library/_home_new.html", context=context, order=12)
