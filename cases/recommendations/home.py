"""The cases app's panels on the home page (registered in CasesConfig.ready when members.home exists)."""

from __future__ import annotations

from typing import Any

from members.roles import Role, has_role


def awaiting_reply_panel(user: Any) -> Any:
    """A liaison's "awaiting our reply" list of judicial recommendations."""
    from cases.views.recommendations import awaiting_context
    from members.home import Panel

    if not has_role(user, Role.LIAISON) or user.unit_id is None:
        return None
    return Panel(template="cases/recommendations/_awaiting.html", context=awaiting_context(user.unit_id), order=10)
