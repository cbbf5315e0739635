"""Pages of the quarterly bulletins: list (filters, search, sort, paging, export), detail by reason, print view
(公文-like), the entries as XLSX, and the office's button to generate a past quarter by hand.

Every view starts from :func:`cases.recommendations.bulletin_selectors.visible_to` (outside: 404); generating goes
through :mod:`cases.recommendations.bulletins`, which says who may.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.recommendations import bulletin_selectors as selectors
from cases.recommendations import bulletins
from cases.recommendations.bulletin_models import QUARTERS, BulletinEntry, RecommendationBulletin
from fuyuan.lib.forms import BootstrapFormMixin, submit
from fuyuan.lib.listing import list_page
from fuyuan.lib.xlsx import rows_response
from members.types import AuthenticatedHttpRequest

SORT_FIELDS: dict[str, str | tuple[str, ...]] = {
    "period": ("year", "quarter"),
    "supervisor": "supervisor__name",
    "entries": "entry_count",
    "late_reply": "late_reply_count",
    "not_adopted": "not_adopted_count",
    "not_rectified": "not_rectified_count",
    "recurred": "recurred_count",
    "generated_at": "generated_at",
}
DEFAULT_SORT = "-period"
PER_PAGE = 20


class GenerateForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=9999)
    quarter = forms.TypedChoiceField(label=gettext_lazy("季度"), coerce=int, choices=QUARTERS)


def _get(request: AuthenticatedHttpRequest, pk: int) -> RecommendationBulletin:
    try:
        return selectors.bulletin_detail(request.user, pk)
    except RecommendationBulletin.DoesNotExist as exc:
        raise Http404(_("没有找到这份季度通报。")) from exc


def _generate_form() -> GenerateForm:
    year, quarter = bulletins.previous_quarter(timezone.localdate())
    return GenerateForm(initial={"year": year, "quarter": quarter}, prefix="generate")


@login_required
@require_GET
def bulletin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = selectors.BulletinFilter(request.GET, selectors.visible_to(request.user)).with_choices(request.user)
    listing = list_page(
        request, filters.qs.only("pk"), sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT, per_page=PER_PAGE,
        tiebreak="id",
    )  # fmt: skip
    listing.page.object_list = selectors.rows_in_order(request.user, [row.pk for row in listing.page.object_list])
    can_generate = bulletins.can_generate(request.user)
    return render(
        request,
        "cases/recommendations/bulletins/list.html",
        {
            "listing": listing,
            "filters": filters.form,
            "export_query": request.GET.urlencode(),
            "generate_form": _generate_form() if can_generate else None,
        },
    )


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


LIST_COLUMNS = [
    ("年度", lambda b: b.year),
    ("季度", lambda b: b.quarter),
    ("主管部门", lambda b: b.supervisor.name),
    ("通报单位", lambda b: b.issuer),
    ("通报件数", lambda b: b.entry_count),
    ("逾期未回复", lambda b: b.late_reply_count),
    ("未采纳", lambda b: b.not_adopted_count),
    ("未整改", lambda b: b.not_rectified_count),
    ("问题复发", lambda b: b.recurred_count),
    ("生成时间", lambda b: _local(b.generated_at)),
    ("发送时间", lambda b: _local(b.sent_at)),
]


@login_required
@require_GET
def bulletin_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list (in its sort order) as an XLSX workbook."""
    rows = selectors.list_rows(selectors.BulletinFilter(request.GET, selectors.visible_to(request.user)).qs)
    queryset = list_page(request, rows, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT, tiebreak="id").ordered
    return rows_response(
        sheet_title=_("司法建议季度通报"),
        header=[_(title) for title, _getter in LIST_COLUMNS],
        rows=([getter(b) for _title, getter in LIST_COLUMNS] for b in queryset.iterator(chunk_size=2000)),
        filename=f"recommendation-bulletins-{timezone.localdate():%Y%m%d}.xlsx",
    )


ENTRY_COLUMNS = [
    ("通报事由", lambda e: "、".join(e.reason_labels)),
    ("文号", lambda e: e.number),
    ("标题", lambda e: e.title),
    ("发出法院", lambda e: e.court_name),
    ("收文单位", lambda e: e.addressee_name),
    ("发出日期", lambda e: e.issued_on),
    ("回复期限", lambda e: e.reply_due),
    ("回复日期", lambda e: e.replied_on),
    ("逾期日数", lambda e: e.days_late if e.late_reply else None),
    ("采纳情况", lambda e: str(e.get_reply_outcome_display()) if e.reply_outcome else ""),
    ("未采纳理由", lambda e: e.reply_reason),
    ("整改期限", lambda e: e.rectification_due),
    ("整改完成报告日期", lambda e: e.rectified_on),
    ("回访日期", lambda e: e.visited_on),
    ("回访结果", lambda e: str(e.get_visit_result_display()) if e.visit_result else ""),
    ("此前同类司法建议", lambda e: e.recurrence_numbers),
]


def entry_row(entry: BulletinEntry) -> list[Any]:
    return [getter(entry) for _title, getter in ENTRY_COLUMNS]


@login_required
@require_GET
def bulletin_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bulletin = _get(request, pk)
    entries = selectors.entries_of(bulletin)
    return render(
        request,
        "cases/recommendations/bulletins/detail.html",
        {"bulletin": bulletin, "groups": selectors.grouped(entries), "entry_count": len(entries)},
    )


@login_required
@require_GET
def bulletin_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 通报 as a document: title, addressee, the reasons in numbered sections, issuing office and date."""
    bulletin = _get(request, pk)
    entries = selectors.entries_of(bulletin)
    return render(
        request,
        "cases/recommendations/bulletins/print.html",
        {
            "bulletin": bulletin,
            "sections": list(zip("一二三四", [g for g in selectors.grouped(entries) if g.entries], strict=False)),
            "dated": timezone.localdate(bulletin.sent_at or bulletin.generated_at),
        },
    )


@login_required
@require_GET
def bulletin_entries_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The bulletin's entries as an XLSX workbook (one row per recommendation, its reasons in the first column)."""
    bulletin = _get(request, pk)
    return rows_response(
        sheet_title=f"{bulletin.year}Q{bulletin.quarter}",
        header=[_(title) for title, _getter in ENTRY_COLUMNS],
        rows=(entry_row(e) for e in selectors.entries_of(bulletin)),
        filename=f"recommendation-bulletin-{bulletin.year}-q{bulletin.quarter}-{bulletin.pk}.xlsx",
    )


@login_required
@require_POST
def bulletin_generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """生成季度通报 by hand (a past quarter; the page asks for confirmation first). Idempotent."""
    if not bulletins.can_generate(request.user):
        raise PermissionDenied(_("只有省级领导小组办公室或系统管理员可以手动生成季度通报。"))
    form = GenerateForm(request.POST, prefix="generate")
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        done = submit(form, lambda: bulletins.generate_by_hand(by=request.user, year=year, quarter=quarter))
        if done is not None:
            messages.success(
                request,
                _("%(year)s年第%(quarter)s季度:新生成通报 %(created)s 份,发送 %(sent)s 份,共 %(total)s 份。")
                % {"year": year, "quarter": quarter, "created": done.created, "sent": done.sent,
                   "total": len(done.bulletins)},
            )  # fmt: skip
            return redirect(f"{_list_url()}?year={year}&quarter={quarter}")
    errors = [str(m) for field_errors in form.errors.values() for m in field_errors]
    messages.error(request, _("未能生成季度通报:%(errors)s") % {"errors": ";".join(errors)})
    return redirect(_list_url())


def _list_url() -> str:
    return reverse("recommendation-bulletin-list")
