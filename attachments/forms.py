"""The one file field of every page form that takes attachments.

``AttachmentsField`` takes several files and checks them while the form validates (type by content, size,
virus scan, text extraction: :func:`attachments.services.check_files`), so a bad file is reported beside
the field in the user's language and nothing is saved; its cleaned value is the checked files, which the
form's view passes on to the service (``checked=``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from attachments.services import CheckedFile, check_files
from fuyuan.lib.forms import BootstrapFormMixin

ACCEPT = ".pdf,.docx,.xlsx,.ofd,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("附件"))
        kwargs.setdefault("help_text", _("可选多个文件:PDF、DOCX、XLSX、OFD、JPEG 或 PNG。"))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        single = super().clean
        uploads = [single(d, initial) for d in data if d] if isinstance(data, list | tuple) else []
        if not isinstance(data, list | tuple) and data:
            uploads = [single(data, initial)]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        try:
            return check_files(uploads)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class AttachmentForm(BootstrapFormMixin, forms.Form):
    attachments = AttachmentsField(label=_("上传附件"), required=True)
