from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("司法建议与案件移送")

    def ready(self) -> None:
        from members import roles

        # The roles' permissions on this app's models exist only once this app has migrated.
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
        try:
            from members.home import register_panel
        except ImportError:  # the home page's panels are not there yet
            return
        from cases.home import awaiting_reply_panel

        register_panel(awaiting_reply_panel)
        from cases.home_referrals import awaiting_referrals_panel

        register_panel(awaiting_referrals_panel)
