"""Project-level views: sign-in, the health check and the favicon."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language
from rest_framework.exceptions import NotFound

from fuyuan.celery import app
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
