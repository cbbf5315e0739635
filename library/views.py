"""Pages of the library (信息共享): the list (filters, full-text search, sorting, paging, XLSX export, the
"新共享 / 未读" tab), a document (opening it records the read receipt; the publisher sees the receipts per
unit), the draft/edit form with the audience, and the actions (publish, withdraw, delete a draft).

Every page starts from the scope (``library.selectors.visible_to``; "new for me" from ``new_for``): outside it is
404; every write calls a service, whose refusal becomes a message or a form error (nothing saved); what the page
offers comes from ``services.allowed_actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attachments import services as attachments
from fuyuan.lib.forms import run, submit
from fuyuan.lib.listing import SEARCH_COUNT_CAP, list_page
from fuyuan.lib.params import parse_id
from fuyuan.lib.xlsx import rows_response
from library import search, selectors, services
from library.filters import DocumentFilter
from library.forms import DocumentForm, WithdrawForm
from library.models import LibraryDocument, Tag
from members.models import WorkTask
from members.types import AuthenticatedHttpRequest

SORT_FIELDS: dict[str, str | tuple[str, ...]] = {
    "published": "published_at",
    "issued": "issued_on",
    "title": "title",
    "type": "type",
    "issuing_unit": "issuing_unit",
}
DEFAULT_SORT = "-published"
PER_PAGE = 20


def _get(request: AuthenticatedHttpRequest, pk: int) -> LibraryDocument:
    try:
        return selectors.document_detail(request.user, pk)
    except LibraryDocument.DoesNotExist as exc:
        raise Http404(_("没有找到这份共享文件。")) from exc


def _filtered(request: AuthenticatedHttpRequest) -> tuple[Any, str, bool]:
    """(the filtered rows, the search terms, the "new for me" tab)."""
    new_tab = request.GET.get("tab") == "new"
    base = selectors.new_for(request.user) if new_tab else selectors.visible_to(request.user)
    qs = DocumentFilter(request.GET, queryset=base, request=request).qs
    q = (request.GET.get("q") or "").strip()[:100]
    return qs, q, new_tab


def _listing(request: AuthenticatedHttpRequest, qs: Any, q: str, *, per_page: int = PER_PAGE) -> Any:
    sort_fields = dict(SORT_FIELDS)
    default = DEFAULT_SORT
    if q:
        sort_fields["relevance"] = ("in_title", "published_at")
        default = "-relevance"
    return list_page(
        request,
        selectors.list_rows(qs, request.user),
        sort_fields=sort_fields,
        default_sort=default,
        per_page=per_page,
        tiebreak="id",
        # A search lists its newest matches (search.CAP); the unread tab (a reader back from leave may have
        # thousands) says "1,000+".
        count_cap=search.CAP if q else SEARCH_COUNT_CAP if request.GET.get("tab") == "new" else None,
    )


def _options(choices: list[tuple[str, Any]], chosen: str | None) -> list[tuple[str, Any, bool]]:
    """A filter's choices as (code, label, selected), so the template marks the chosen one without comparing."""
    return [(code, label, code == chosen) for code, label in choices]


@login_required
@require_GET
def document_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs, q, new_tab = _filtered(request)
    listing = _listing(request, qs, q)
    task = parse_id(request.GET.get("task"))
    return render(
        request,
        "library/list.html",
        {
            "listing": listing,
            "f": request.GET,
            "q": q,
            "new_tab": new_tab,
            "relevance": bool(q),
            "search_cap": search.CAP,
            "types": _options(LibraryDocument.Type.choices, request.GET.get("type")),
            "statuses": _options(LibraryDocument.Status.choices, request.GET.get("status")),
            "tasks": list(WorkTask.objects.order_by("number").values_list("pk", "number", "short_title")),
            "task_id": task,
            "popular_tags": list(Tag.objects.order_by("name").values_list("name", flat=True)[:50]),
            "can_publish": services.can_publish(request.user),
            "export_query": request.GET.urlencode(),
        },
    )


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


EXPORT_COLUMNS: list[tuple[Any, Any]] = [
    (gettext_lazy("类型"), lambda d: str(d.get_type_display())),
    (gettext_lazy("标题"), lambda d: d.title),
    (gettext_lazy("文号"), lambda d: d.number),
    (gettext_lazy("制发单位"), lambda d: d.issuing_unit),
    (gettext_lazy("发布日期"), lambda d: d.issued_on),
    (gettext_lazy("案号"), lambda d: d.case_number),
    (gettext_lazy("审理法院"), lambda d: d.court),
    (gettext_lazy("工作任务"), lambda d: "、".join(str(t.number) for t in d.tasks.all())),
    (gettext_lazy("标签"), lambda d: "、".join(t.name for t in d.tags.all())),
    (gettext_lazy("发布单位"), lambda d: d.publisher_unit.name),
    (gettext_lazy("状态"), lambda d: str(d.get_status_display())),
    (gettext_lazy("发布时间"), lambda d: _local(d.published_at)),
    (gettext_lazy("已读"), lambda d: _("是") if d.is_read else _("否")),
]


@login_required
@require_GET
def document_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list, in its sort order, as an XLSX workbook."""
    qs, q, _new_tab = _filtered(request)
    listing = _listing(request, qs, q)
    return rows_response(
        sheet_title=_("信息共享"),
        header=[str(title) for title, _getter in EXPORT_COLUMNS],
        rows=([getter(d) for _title, getter in EXPORT_COLUMNS] for d in listing.ordered.iterator(chunk_size=2000)),
        filename=f"library-{timezone.localdate():%Y%m%d}.xlsx",
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_publish(request.user):
        raise PermissionDenied(_("您没有发布共享文件的权限。"))
    assert request.user.unit is not None
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        unit=request.user.unit,
        initial={"issued_on": timezone.localdate(), "issuing_unit": request.user.unit.name},
    )
    if request.method == "POST" and form.is_valid():
        checked = form.cleaned_data.get("attachments") or []

        def create() -> LibraryDocument:
            with transaction.atomic():
                document = services.document_create(by=request.user, **form.service_args())
                if checked:
                    attachments.attach(record=document, by=request.user, checked=checked)
                return document

        document = submit(form, create)
        if document is not None:
            messages.success(request, _("草稿已保存。核对无误后请点击“发布”。"))
            return redirect(document)
    return render(request, "library/form.html", {"form": form, "document": None})


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _get(request, pk)
    if "edit" not in services.allowed_actions(document, request.user):
        raise PermissionDenied(_("只有发布单位有发布权限的人员可以修改草稿或已发布的文件。"))
    form = DocumentForm(
        request.POST or None, unit=document.publisher_unit, editing=True, initial=DocumentForm.initial_from(document)
    )
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form, lambda: services.document_update(document=document, by=request.user, **form.service_args())
        )
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect(document)
    return render(request, "library/form.html", {"form": form, "document": document})


def _detail(
    request: AuthenticatedHttpRequest, document: LibraryDocument, *, withdraw: Any = None, status: int = 200
) -> HttpResponse:
    actions = services.allowed_actions(document, request.user)
    return render(
        request,
        "library/detail.html",
        {
            "document": document,
            "actions": actions,
            "withdraw_form": withdraw or (WithdrawForm(prefix="withdraw") if "withdraw" in actions else None),
            "receipts": selectors.receipts(document) if "receipts" in actions else None,
        },
        status=status,
    )


@login_required
@require_GET
def document_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _get(request, pk)
    if services.document_mark_read(document=document, by=request.user):
        document.is_read = True  # type: ignore[attr-defined]
    return _detail(request, document)


@login_required
@require_POST
def document_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    document = _get(request, pk)
    if action == "withdraw":
        form = WithdrawForm(request.POST, prefix="withdraw")
        if not form.is_valid():
            messages.error(request, _("请填写撤回原因。"))
            return _detail(request, document, withdraw=form, status=400)
        call: Any = lambda: services.document_withdraw(  # noqa: E731
            document=document, by=request.user, reason=form.cleaned_data["reason"]
        )
        done = _("已撤回,阅读范围内的单位不再能看到这份文件。")
    elif action == "publish":
        call, done = lambda: services.document_publish(document=document, by=request.user), _("已发布。")
    elif action == "delete":
        call, done = lambda: services.document_delete(document=document, by=request.user), _("草稿已删除。")
    else:
        raise Http404
    if not run(request, call, done):
        return redirect(document)
    return redirect("library-list" if action == "delete" else document)
