"""The referrals' panel on the unit home page: what awaits the user's unit."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from cases.referrals.selectors import referrals_awaiting
from members.home import Panel
from members.models import User


def awaiting_context(user: User) -> dict[str, Any]:
    """Context of ``cases/referrals/_awaiting.html`` for the unit home page."""
    rows, total = referrals_awaiting(user)
    return {
        "awaiting_referrals": rows,
        "awaiting_referrals_total": total,
        "referral_inbox_url": reverse("referral-inbox"),
    }


def awaiting_referrals_panel(user: User) -> Panel | None:
    if not getattr(user, "unit_id", None):
        return None
    return Panel(template="cases/referrals/_awaiting_panel.html", context=awaiting_context(user), order=20)
