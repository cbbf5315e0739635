from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("司法建议与案件移送")

    def ready(self) -> None:
        from cases.home import awaiting_reply_panel
        from cases.home_referrals import awaiting_referrals_panel
        from members.home import register_panel

        register_panel(awaiting_reply_panel)
        register_panel(awaiting_referrals_panel)
