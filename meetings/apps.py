from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("联席会议与会商")

    def ready(self) -> None:
        # Not a cycle but Django's load order: apps.py is imported before the models exist, and
        # meetings.home reads them; ready() is the first moment it may be imported.
        from meetings.home import home_panel
        from members.home import register_panel

        register_panel(home_panel)
