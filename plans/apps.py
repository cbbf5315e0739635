from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("年度工作要点与督办")

    def ready(self) -> None:
        # Imported here, not at the top: plans.home reads the models, which are not loaded when Django
        # imports the app configs (the app registry's rule, not a cycle).
        from members import roles
        from members.home import register_panel
        from plans.home import home_panel

        # The roles' permissions on this app's models exist only once this app has migrated.
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
        register_panel(home_panel)
        _register_attachments()


def _register_attachments() -> None:
    """Progress reports carry their evidence (:mod:`attachments.registry`)."""
    from attachments import registry
    from plans import selectors, services
    from plans.models import PlanProgress

    registry.register(
        PlanProgress,
        visible=selectors.progress_visible_to,
        part_for=services.progress_attachment_part,
        parts=services.PROGRESS_PARTS,
    )
