from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in user sees their saved language unless this browser chose one explicitly."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith("/api/")
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class IdleSessionMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE of idleness without a write on every request.

    The session is re-saved (which moves its expiry on) at most once a minute, instead of
    Django's SESSION_SAVE_EVERY_REQUEST which writes on every page.
    """

    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_touched", 0)) >= self.TOUCH_EVERY_SECONDS:
                session["_touched"] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A person given a one-time password by the office (``must_change_password``) sets their own first.

    Every page leads to the password change form (signing out and the language switch still work);
    the API answers 403 until then.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
            return self.get_response(request)
        allowed = {reverse(name) for name in ("password_change", "logout", "set_language")}
        if request.path in allowed or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        message = _("请先设置您自己的新密码(办公室重置的一次性密码只能用于本次登录)。")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        messages.warning(request, message)
        return redirect("password_change")
