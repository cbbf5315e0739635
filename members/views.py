"""Pages of the members app: home, unit directory, unit page, the ten tasks, inbox, profile."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fuyuan.lib.forms import apply_service_errors
from fuyuan.lib.fragments import values_key
from fuyuan.lib.listing import list_page
from fuyuan.lib.params import parse_id
from members import imports, selectors, services
from members.forms import LiaisonCreateForm, ProfileForm, TribunalForm, UnitFilterForm
from members.home import panels_for
from members.models import MemberUnit, Notification, Region, User, WorkTask
from members.roles import Role, is_office, roles_of
from members.selectors import UnitScope
from members.types import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "unit": user.unit,
        "my_tasks": selectors.tasks_of_unit(user.unit).prefetch_related("lead_units"),
        "role_labels": [Role(r).label for r in sorted(roles_of(user)) if r in Role.values],
        "panels": panels_for(user),
        "recent_notices": selectors.inbox(user)[:5],
    }
    return render(request, "members/home.html", context)


@login_required
def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.unit_directory(
        search=data.get("q", ""),
        kind=data.get("kind", ""),
        level=data.get("level", ""),
        within=data.get("region"),
        court_level=data.get("court_level", ""),
        member_only=bool(data.get("member")),
    )
    listing = list_page(
        request,
        qs,
        sort_fields={"order": "order", "name": "name", "kind": "kind", "level": "level", "region": "region__order"},
        default_sort="order",
        per_page=30,
    )
    units = selectors.with_liaison_counts(listing.object_list)
    context = {
        "form": form,
        # The filter bar is the same for every reader (the whole directory): a fragment kept per language and values.
        "filter_key": values_key(request.GET, UnitFilterForm.base_fields),
        "listing": listing,
        "units": units,
        "can_import": imports.may_import(request.user),
    }
    return render(request, "members/unit_list.html", context)


@login_required
@require_safe  # a page to read: a POST is 405, never the page again
def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(MemberUnit.objects.select_related("region", "parent", "supervisor"), pk=pk)
    liaisons = (
        selectors.unit_contacts([unit.pk], roles=(Role.LIAISON,))
        .select_related("liaison")
        .order_by("liaison__role", "pk")
    )
    context = {
        "unit": unit,
        "liaisons": liaisons,
        "led_tasks": unit.led_tasks.all(),
        "participating_tasks": unit.participating_tasks.all(),
        "children": unit.children.filter(active=True).order_by("order", "id"),
        "can_manage": is_office(request.user) and services.may_manage_unit(by=request.user, unit=unit),
        "actions": unit_actions(unit, request.user),
    }
    return render(request, "members/unit_detail.html", context)


_SCOPE_PARAMS: dict[str, tuple[str, frozenset[str]]] = {
    "kind": ("kinds", frozenset(MemberUnit.Kind.values)),
    "exclude_kind": ("exclude_kinds", frozenset(MemberUnit.Kind.values)),
    "court_level": ("court_levels", frozenset(MemberUnit.CourtLevel.values)),
    "level": ("levels", frozenset(MemberUnit.Level.values)),
}


@require_safe
def unit_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The unit pickers' source: ``{results: [{id, text, level, region, group}], more}``, 20 a page.

    Any active unit may be picked (the directory is readable by every signed-in user); a field narrows
    it with ``kind``, ``exclude_kind``, ``court_level``, ``level`` (comma-separated codes) and ``region``
    (that region and below). An unknown code is refused (400) rather than ignored, which would widen the list.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("请先登录。")}, status=401)
    scope: dict[str, Any] = {}
    for param, (name, allowed) in _SCOPE_PARAMS.items():
        codes = tuple(c for raw in request.GET.getlist(param) for c in raw.split(",") if c)
        if set(codes) - allowed:
            return JsonResponse({param: [_("无效的代码。")]}, status=400)
        scope[name] = codes
    if request.GET.get("region"):
        region = Region.objects.filter(pk=parse_id(request.GET["region"]) or 0).first()
        if region is None:
            return JsonResponse({"region": [_("没有这个行政区划。")]}, status=400)
        scope["region"] = region
    page = min(parse_id(request.GET.get("page")) or 1, 10_000)
    results, more = selectors.unit_choices(
        user=request.user,
        search=request.GET.get("q", "")[:100],
        scope=UnitScope(**scope),
        page=page,
    )
    return JsonResponse({"results": results, "more": more}, json_dumps_params={"ensure_ascii": False})


def unit_actions(unit: MemberUnit, user: User) -> set[str]:
    """What ``user`` may do on ``unit``'s page now: office staff of its region (and administrators) appoint
    and retire its liaisons and, on a basic court's page, add its 人民法庭."""
    if not (is_office(user) and services.may_manage_unit(by=user, unit=unit)):
        return set()
    actions = {"liaison_add", "liaison_retire", "liaison_password_reset"}
    if unit.kind == MemberUnit.Kind.COURT and unit.court_level == MemberUnit.CourtLevel.BASIC and unit.active:
        actions.add("tribunal_add")
    return actions


def _require_office(request: AuthenticatedHttpRequest, unit: MemberUnit | None = None) -> None:
    if not is_office(request.user):
        raise PermissionDenied(_("只有领导小组办公室可以管理联络员。"))
    if unit is not None and not services.may_manage_unit(by=request.user, unit=unit):
        raise PermissionDenied(_("您只能管理本级及下级区划的单位和联络员。"))


@login_required
def tribunal_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A basic court adds one of its 人民法庭 (a sub-unit in the court's region), by its region's office."""
    court = get_object_or_404(MemberUnit.objects.select_related("region"), pk=pk)
    if "tribunal_add" not in unit_actions(court, request.user):
        raise PermissionDenied(_("只有本区划的领导小组办公室可以为基层人民法院添加人民法庭。"))
    form = TribunalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tribunal = services.unit_save(
                by=request.user,
                name=form.cleaned_data["name"],
                short_name=form.cleaned_data["short_name"],
                kind=MemberUnit.Kind.COURT,
                court_level=MemberUnit.CourtLevel.TRIBUNAL,
                parent=court,
                supervisor=court,
                order=court.order,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已添加人民法庭:%(name)s。") % {"name": tribunal.name})
            return redirect("unit-detail", pk=court.pk)
    return render(request, "members/tribunal_form.html", {"unit": court, "form": form})


@login_required
def liaison_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Office staff appoint a liaison of a unit; a one-time password is shown once."""
    unit = get_object_or_404(MemberUnit.objects.select_related("region"), pk=pk)
    _require_office(request, unit)
    form = LiaisonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = secrets.token_urlsafe(9)
        try:
            user = services.user_save(
                by=request.user,
                username=form.cleaned_data["username"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                unit=unit,
                roles=[Role.LIAISON],
                liaison_role=form.cleaned_data["liaison_role"],
                password=password,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已添加联络员 %(name)s,初始密码:%(password)s(仅显示一次,请当面或电话告知本人)。")
                % {"name": user.display_name, "password": password},
            )
            return redirect("unit-detail", pk=unit.pk)
    return render(request, "members/liaison_form.html", {"unit": unit, "form": form})


@login_required
@require_POST
def liaison_retire(request: AuthenticatedHttpRequest, pk: int, user_id: int) -> HttpResponse:
    user = get_object_or_404(User.objects.select_related("unit__region"), pk=user_id, unit_id=pk, liaison__isnull=False)
    assert user.unit is not None  # filtered on the unit
    _require_office(request, user.unit)
    services.user_retire(by=request.user, user=user)
    messages.success(request, _("%(name)s 已不再担任联络员,账户已停用。") % {"name": user.display_name})
    return redirect("unit-detail", pk=pk)


@login_required
def liaison_password_reset(request: AuthenticatedHttpRequest, pk: int, user_id: int) -> HttpResponse:
    """The office gives a liaison of a unit it manages a one-time password (shown once), after confirming.

    A person the office does not manage is 404; the person must set their own password at the next sign-in.
    """
    if not is_office(request.user):
        raise PermissionDenied(_("只有领导小组办公室可以重置联络员的密码。"))
    person = get_object_or_404(
        User.objects.select_related("unit__region", "liaison"), pk=user_id, unit_id=pk, liaison__isnull=False
    )
    if not services.may_manage(by=request.user, user=person):
        raise Http404
    assert person.unit is not None  # filtered on the unit
    if request.method == "POST":
        try:
            password = services.user_password_reset(by=request.user, user=person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("已重置 %(name)s 的密码,一次性密码:%(password)s(仅显示一次,请当面或电话告知;登录后须改密码)。")
                % {"name": person.display_name, "password": password},
            )
        return redirect("unit-detail", pk=pk)
    return render(request, "members/liaison_password_reset.html", {"unit": person.unit, "person": person})


@login_required
def unit_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Import the units and liaisons of one's region from the XLSX template (office staff and administrators)."""
    imports.refuse_unless_may_import(request.user)
    if request.GET.get("template") == "1":
        return imports.template_response()
    context: dict[str, object] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = [(0, [_("请选择要导入的文件。")])]
        else:
            result = imports.check(by=request.user, upload=upload)
            context["errors"] = result.errors
            if not result.errors:
                try:
                    context["passwords"] = imports.run(by=request.user, result=result)
                except (ValidationError, PermissionDenied) as exc:
                    context["errors"] = [(0, list(getattr(exc, "messages", [str(exc)])))]
                else:
                    if result.new_rows == 0:
                        messages.info(request, _("%(n)s 行均已存在,未重复导入。") % {"n": len(result.rows)})
                    else:
                        messages.success(request, _("已导入 %(n)s 行。") % {"n": result.new_rows})
    return render(request, "members/unit_import.html", context)


@login_required
def task_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = MemberUnit.objects.only("id", "name", "short_name").order_by("order", "id")
    tasks = WorkTask.objects.prefetch_related(
        Prefetch("lead_units", queryset=units), Prefetch("participating_units", queryset=units)
    )
    return render(request, "members/task_list.html", {"tasks": tasks})


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    unread_only = request.GET.get("unread") == "1"
    listing = list_page(
        request,
        selectors.inbox(user, unread_only=unread_only),
        sort_fields={"created": "created_at"},
        default_sort="-created",
        per_page=25,
    )
    return render(request, "members/inbox.html", {"listing": listing, "unread_only": unread_only})


@login_required
@require_POST
def inbox_mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    ids = [i for i in map(parse_id, request.POST.getlist("id")) if i is not None]
    count = services.notification_mark_read(user=user, notification_ids=ids or None)
    if request.htmx:
        return render(request, "members/_inbox_marked.html", {"count": count})
    messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next", ""), default="inbox"))


def _safe_next(request: AuthenticatedHttpRequest, target: str, *, default: str) -> str:
    """A ``next`` address on this site only: another host (``https://evil.example``, ``//evil``) is ignored."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
def inbox_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open what a notice links to, marking it read on the way."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=notice.recipient, notification_ids=[notice.pk])
    target = notice.url or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    return HttpResponseRedirect(target)


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("个人设置已保存。"))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.cleaned_data["language"],
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "members/profile.html", {"form": form})
