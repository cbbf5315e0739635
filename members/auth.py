"""API authentication: expiring tokens (django-rest-knox) that a password change or deactivation ends."""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from members import services
from members.models import ApiToken, User


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``. A token lapses when unused for ``REST_KNOX["TOKEN_TTL"]`` and at
    ``AUTO_REFRESH_MAX_TTL`` after it was issued (knox); it ends too when its user's password has changed
    since it was issued, or the user was deactivated: every token of theirs is deleted then."""

    def validate_user(self, auth_token: ApiToken) -> tuple[User, ApiToken]:
        user = auth_token.user
        if not user.is_active or not compare_digest(auth_token.password_stamp, services.password_stamp(user)):
            services.api_tokens_revoke(user=user, by=None, stale_only=user.is_active)
            raise AuthenticationFailed(_("令牌已失效,请重新获取。"))
        return user, auth_token

    def authenticate_header(self, request: Any) -> str:
        return "Token"
