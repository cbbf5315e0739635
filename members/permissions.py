"""API permissions shared by every viewset (settings: ``DEFAULT_PERMISSION_CLASSES``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from members.roles import Role, has_role


class LeadersReadOnly(BasePermission):
    """Leaders read and never write: any unsafe method by a leader (who holds no writing role) is 403.

    A view that only touches the user's own things (their inbox's read marks) sets ``personal = True``.
    """

    message = _("领导账号只能查看,不能修改。")

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS or getattr(view, "personal", False):
            return True
        user = request.user
        if not getattr(user, "is_authenticated", False) or not has_role(user, Role.LEADER):
            return True
        return has_role(user, Role.OFFICE, Role.ADMIN, Role.LIAISON, Role.COURT_CLERK)
