"""Attachment pages: download (through the record's scope), add to a record, remove one's own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attachments import selectors, services
from attachments.api import download_response
from attachments.forms import AttachmentForm
from attachments.registry import kind_for_type
from fuyuan.lib.errors import NotPermitted
from members.types import AuthenticatedHttpRequest


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    attachment = selectors.readable(request.user, pk)
    if attachment is None:
        raise Http404
    return download_response(attachment)


def _back(request: AuthenticatedHttpRequest, record: object) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = getattr(record, "get_absolute_url", lambda: "/")()
    return redirect(target)


@login_required
@require_POST
def add(request: AuthenticatedHttpRequest, record_type: int, record_id: int) -> HttpResponse:
    kind = kind_for_type(record_type) if ContentType.objects.filter(pk=record_type).exists() else None
    record = kind.visible(request.user).filter(pk=record_id).first() if kind else None
    if record is None:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("attachments") or [_("请选择要上传的文件。")]))
        stored = services.attach(record=record, by=request.user, checked=form.cleaned_data["attachments"])
    except NotPermitted as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已上传 %(n)s 个附件。") % {"n": len(stored)})
    return _back(request, record)


@login_required
@require_POST
def remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.readable(request.user, pk)
    if attachment is None:
        raise Http404
    record = attachment.record
    try:
        services.remove(attachment=attachment, by=request.user)
    except NotPermitted as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.name})
    return _back(request, record)
