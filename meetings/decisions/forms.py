"""Forms of the decision pages. They only parse input; the services decide and validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attachments.forms import AttachmentsField
from fuyuan.lib.forms import BootstrapFormMixin
from meetings.meetings.forms import DateInput, active_units
from members.widgets import UnitPicker, UnitsPicker


class DecisionForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_unit = forms.ModelChoiceField(label=_("牵头落实单位"), queryset=active_units(), widget=UnitPicker)
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=active_units(),
        required=False,
        widget=UnitsPicker,
    )
    due = forms.DateField(label=_("完成时限"), widget=DateInput())


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["note"].label = label


class ProgressForm(NoteForm):
    """A progress report with its evidence (``AttachmentsField``: checked while the form validates)."""

    attachments = AttachmentsField(label=_("进展材料"))
