"""核稿签发: a draft goes to a signer of its court before it may be issued.

A court's :class:`~cases.recommendations.models.RecommendationPolicy` says whether its drafts need
approval (``approval_required``; ``FUYUAN_RECOMMENDATION_APPROVAL_REQUIRED``, on, for a court without a
policy). A signer is a clerk of the court whom the administrator gave the permission
``cases.sign_recommendation`` (the group ``recommendation_signer``, or the permission itself). The clerk
submits (``draft`` → ``submitted``); a signer other than the one who submitted approves it
(``approved``, then the clerk issues it) or sends it back with comments (``draft`` again).
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.recommendations.alerts import save_with_reason, send_notice
from cases.recommendations.models import JudicialRecommendation
from cases.recommendations.services import (
    SIGN_PERMISSION,
    Status,
    _require_clerk,
    _require_status,
    _validate,
    approval_required,
    can_sign,
    require_complete,
)
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import copy_back, lock
from members.models import User
from members.roles import Role


def signers(court_id: int) -> QuerySet[User]:
    """The active clerks of this court who may sign (by their group or their own permission)."""
    app_label, codename = SIGN_PERMISSION.split(".")
    perm_ids = Permission.objects.filter(content_type__app_label=app_label, codename=codename).values("pk")
    return (
        User.objects.filter(unit_id=court_id, is_active=True, groups__name=Role.COURT_CLERK)
        .filter(Q(user_permissions__in=perm_ids) | Q(groups__permissions__in=perm_ids) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def _submitter(rec: JudicialRecommendation) -> list[User]:
    return [rec.submitted_by] if rec.submitted_by_id and rec.submitted_by and rec.submitted_by.is_active else []


@transaction.atomic
def recommendation_submit(*, recommendation: JudicialRecommendation, by: User) -> JudicialRecommendation:
    """提交核稿: a complete draft goes to the court's signers."""
    rec = lock(recommendation)
    _require_clerk(rec, by)
    _require_status(rec, [Status.DRAFT], _("只有草稿可以提交核稿(当前状态:%(status)s)。"))
    if not approval_required(rec.court_id):
        raise TransitionNotAllowed(_("本院的司法建议无须核稿签发,可直接发出。"))
    require_complete(rec, _("提交核稿前请填写%(field)s。"))
    _validate(rec)
    recipients = [u for u in signers(rec.court_id) if u.pk != by.pk]
    if not recipients:
        raise TransitionNotAllowed(_("本院尚无其他有签发权限的人员,请联系系统管理员设置签发人。"))
    rec.status = Status.SUBMITTED
    rec.submitted_at = timezone.now()
    rec.submitted_by = by
    save_with_reason(rec, "submitted", by=by)
    send_notice(rec, "submitted", f"submitted-{rec.submitted_at:%Y%m%d%H%M%S%f}", recipients)
    return copy_back(recommendation, rec)


def _require_signer(rec: JudicialRecommendation, by: User) -> None:
    if not can_sign(by, rec.court_id):
        raise NotPermitted(_("只有本院有签发权限的人员可以核稿签发。"))
    if rec.submitted_by_id == by.pk:
        raise NotPermitted(_("不能签发本人提交核稿的司法建议,请由其他签发人核稿。"))


@transaction.atomic
def recommendation_approve(
    *, recommendation: JudicialRecommendation, by: User, comment: str = ""
) -> JudicialRecommendation:
    """签发: the draft may now be issued; the clerk who submitted it hears."""
    rec = lock(recommendation)
    _require_signer(rec, by)
    _require_status(rec, [Status.SUBMITTED], _("只有待签发的司法建议可以签发(当前状态:%(status)s)。"))
    rec.status = Status.APPROVED
    rec.approved_at = timezone.now()
    rec.approved_by = by
    rec.review_comment = (comment or "").strip()
    save_with_reason(rec, "approved", by=by)
    send_notice(rec, "approved", f"approved-{rec.approved_at:%Y%m%d%H%M%S%f}", _submitter(rec))
    return copy_back(recommendation, rec)


@transaction.atomic
def recommendation_send_back(
    *, recommendation: JudicialRecommendation, by: User, comment: str
) -> JudicialRecommendation:
    """退回修改: the draft goes back to the clerk with the signer's comments."""
    rec = lock(recommendation)
    _require_signer(rec, by)
    _require_status(rec, [Status.SUBMITTED], _("只有待签发的司法建议可以退回(当前状态:%(status)s)。"))
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("退回时请填写核稿意见。")]})
    rec.status = Status.DRAFT
    rec.review_comment = comment.strip()
    now = timezone.now()
    save_with_reason(rec, "sent_back", by=by)
    send_notice(rec, "sent_back", f"sent_back-{now:%Y%m%d%H%M%S%f}", _submitter(rec), comment=rec.review_comment)
    return copy_back(recommendation, rec)
