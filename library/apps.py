from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("信息共享")

    def ready(self) -> None:
        # Imported here: these modules use the models, not loaded when Django imports the app configs.
        from attachments import registry
        from library import search, selectors, services
        from library.home import new_documents_panel
        from library.models import LibraryDocument
        from members import roles
        from members.home import register_panel

        # The roles' permission to publish exists only once this app has migrated.
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
        registry.register(
            LibraryDocument,
            visible=selectors.visible_to,
            part_for=services.attachment_part,
            parts={services.PART: _("文件附件")},
            changed=search.refresh,
        )
        register_panel(new_documents_panel)
