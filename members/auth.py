"""API authentication: expiring tokens (django-rest-knox) that a password change or deactivation ends."""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from members import services
from members.models import ApiToken, User


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``. A token lapses when unused for ``REST_KNOX["TOKEN_TTL"]`` and at
    ``AUTO_REFRESH_MAX_TTL`` after it was issued (knox); it ends too when its user's password has changed
    since it was issued, or the user was deactivated: every token of theirs is deleted then."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, ApiToken]:
        """Knox's, with the user's unit and region in the same query: every scope reads them
        (``members.levels.reach_of``), so a token request costs no query more than a session one."""
        key = token.decode("utf-8")
        tokens = ApiToken.objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related(
            "user__unit__region"
        )
        for auth_token in tokens:
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error) as exc:
                raise AuthenticationFailed(_("令牌无效。")) from exc
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise AuthenticationFailed(_("令牌无效。"))

    def validate_user(self, auth_token: ApiToken) -> tuple[User, ApiToken]:
        user = auth_token.user
        if not user.is_active or not compare_digest(auth_token.password_stamp, services.password_stamp(user)):
            services.api_tokens_revoke(user=user, by=None, stale_only=user.is_active)
            raise AuthenticationFailed(_("令牌已失效,请重新获取。"))
        return user, auth_token

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        """Whether this token has lapsed (and is deleted). Knox also sweeps the user's other lapsed
        tokens here, one more query per request; ``api_token_issue`` sweeps them instead."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def authenticate_header(self, request: Any) -> str:
        return "Token"


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """The schema's word for it: ``Authorization: Token <key>``, as API.md says."""

    target_class = ExpiringTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106  # nosec B106
