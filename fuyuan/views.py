"""Project-level views: sign-in, the password pages, the health check and the favicon."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language
from rest_framework.exceptions import NotFound
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from fuyuan.celery import app
from members.forms import PasswordChangeForm, PasswordResetForm, PasswordResetSetForm
from members.models import WorkerHeartbeat
from members.services import user_set_language


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # The language chosen on the login page becomes the user's language (emails too).
        lang = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang:
            user_set_language(user=form.get_user(), language=lang)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm


class _ResetThrottle(SimpleRateThrottle):
    """The password reset's rates (``DEFAULT_THROTTLE_RATES``), kept in the cache like the API's throttles."""

    def __init__(self, scope: str, ident: str) -> None:
        self.scope, self.ident = scope, ident
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    @classmethod
    def allows(cls, scope: str, *, request: HttpRequest, ident: str = "") -> bool:
        """Count this request against ``scope`` for ``ident`` (default: the client's address)."""
        drf_request: Any = request  # DRF's throttles read only ``request.META`` of a plain request
        no_view: Any = None
        return cls(scope, ident or BaseThrottle().get_ident(drf_request)).allow_request(drf_request, no_view)


class PasswordResetView(auth_views.PasswordResetView):
    """Forgotten password: a link by email, valid ``PASSWORD_RESET_TIMEOUT``.

    The answer is the same whether or not the address belongs to anyone (no enumeration). An address
    (IP) may ask ``password_reset`` times, and one email address receives ``password_reset_email``
    links at most, per period; past the first the page says to wait, past the second nothing is sent.
    """

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _ResetThrottle.allows("password_reset", request=request):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("请求过于频繁,请稍后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        if not _ResetThrottle.allows("password_reset_email", request=self.request, ident=email):
            return HttpResponseRedirect(self.get_success_url())  # the same answer; nothing more is sent
        self.extra_email_context = {"site_url": settings.SITE_URL, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = PasswordResetSetForm
    success_url = reverse_lazy("password_reset_complete")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL that matches nothing: JSON under ``/api/`` (as every API refusal), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also keeps the choice on the user (their emails follow it)."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"[:300]


def _check_broker() -> tuple[bool, str]:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"[:300]


def _check_worker() -> tuple[bool, str, str | None]:
    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}", None
    if beat is None:
        return False, "no heartbeat yet", None
    age = timezone.now() - beat.seen_at
    ok = age <= timedelta(seconds=settings.FUYUAN_HEARTBEAT_MAX_AGE_SECONDS)
    return ok, "ok" if ok else f"last heartbeat {int(age.total_seconds())} s ago", beat.seen_at.isoformat()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and a worker are all fine; 503 naming what is not."""
    db_ok, db_detail = _check_database()
    broker_ok, broker_detail = _check_broker()
    worker_ok, worker_detail, last_seen = _check_worker() if db_ok else (False, "database down", None)
    checks = {
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "worker": {"ok": worker_ok, "detail": worker_detail, "last_heartbeat": last_seen},
    }
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "ok" if not failing else "fail", "failing": failing, "checks": checks}
    return JsonResponse(body, status=200 if not failing else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on their own: our SVG icon (pages link it too)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
