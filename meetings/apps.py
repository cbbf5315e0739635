from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def home_panel(user: Any) -> Any:
    """The home page's meetings panel: upcoming meetings and open decisions (see members.home)."""
    from meetings.selectors import unit_home
    from members.home import Panel

    data = unit_home(user=user)
    if data["scope"] == "none":
        return None
    return Panel(template="meetings/_unit_home.html", context=data, order=30)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("联席会议与会商")

    def ready(self) -> None:
        from members.home import register_panel

        register_panel(home_panel)
