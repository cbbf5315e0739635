"""The referrals panel of the unit home page: what awaits the user's unit."""

from __future__ import annotations

from members.home import Panel
from members.models import User


def awaiting_referrals_panel(user: User) -> Panel | None:
    if not getattr(user, "unit_id", None):
        return None
    from cases.views.referrals import awaiting_context

    return Panel(template="cases/referrals/_awaiting_panel.html", context=awaiting_context(user), order=20)
