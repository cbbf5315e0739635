from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("成员单位与人员")

    def ready(self) -> None:
        # Not at the top: Django imports this module while it fills the app registry, before any model
        # can be imported, and members.roles imports django.contrib.auth's models.
        from members import roles

        # Groups and their permissions need the permissions that Django creates after
        # migrating, so they are put right after every migrate (idempotent).
        post_migrate.connect(roles.ensure_roles_after_migrate, dispatch_uid="members.ensure_roles")
