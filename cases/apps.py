from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("司法建议与案件移送")

    def ready(self) -> None:
        # Imported here, not at the top: these modules use the models, which are not loaded
        # when Django imports the app configs (the app registry's rule, not a cycle of ours).
        from cases.hearings.home import hearings_panel
        from cases.opinions.home import answers_received_panel, to_answer_panel
        from cases.recommendations.home import awaiting_reply_panel, court_todo_panel
        from cases.referrals.home import awaiting_referrals_panel
        from members import roles
        from members.home import register_panel

        # The roles' permissions on this app's models exist only once this app has migrated.
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
        register_panel(awaiting_reply_panel)
        register_panel(court_todo_panel)
        register_panel(awaiting_referrals_panel)
        register_panel(to_answer_panel)
        register_panel(answers_received_panel)
        register_panel(hearings_panel)
        _register_attachments()


def _register_attachments() -> None:
    """The records of this app that carry files (:mod:`attachments.registry`): who may add which part when."""
    from attachments import registry
    from cases.hearings import selectors as hearing_selectors
    from cases.hearings import services as hearing_services
    from cases.hearings.models import Hearing
    from cases.opinions import selectors as opinion_selectors
    from cases.opinions import services as opinion_services
    from cases.opinions.models import Opinion
    from cases.recommendations import selectors as recommendation_selectors
    from cases.recommendations import services as recommendation_services
    from cases.recommendations.models import AttachmentPart, JudicialRecommendation
    from cases.referrals import selectors as referral_selectors
    from cases.referrals import services as referral_services
    from cases.referrals.models import Referral

    for model, selectors, services in (
        (Referral, referral_selectors, referral_services),
        (Opinion, opinion_selectors, opinion_services),
        (Hearing, hearing_selectors, hearing_services),
    ):
        registry.register(
            model, visible=selectors.visible_to, part_for=services.attachment_part, parts=services.ATTACHMENT_PARTS
        )
    registry.register(
        JudicialRecommendation,
        visible=recommendation_selectors.visible_to,
        part_for=recommendation_services.attachment_part,
        parts=dict(AttachmentPart.choices),
    )
