"""Form helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed

# The mixin goes before a form class (``class F(BootstrapFormMixin, forms.Form)``): to the type checker it is a form.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class BootstrapFormMixin(_FormBase):
    """Gives every widget Bootstrap 5's classes, and marks fields with errors as invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        # Marked after validation, not in __init__: a form that sets a field's queryset or choices
        # after ``super().__init__()`` must be validated against them.
        super().full_clean()
        mark_invalid(self)


_Field = TypeVar("_Field", bound=forms.Field)


def field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """``form.fields[name]``, known to be a ``kind`` (a form sets a field's queryset or choices through it).

    ``form.fields`` holds plain ``Field``s to the type checker; this says which field it is, and fails
    loudly if a form's declaration and its ``__init__`` disagree.
    """
    found = form.fields[name]
    if not isinstance(found, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(found).__name__}, not a {kind.__name__}")
    return found


def mark_invalid(form: forms.BaseForm) -> None:
    """Bootstrap's ``is-invalid`` on the widget of every field with an error."""
    for name in getattr(form, "_errors", None) or {}:
        if name in form.fields:
            widget = form.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """The one way a page shows a service's ValidationError on its form.

    Messages keyed by a field the form has go on that field (marked invalid); the rest, and a
    plain message, go to the form's non-field errors.
    """
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
    mark_invalid(form)


_T = TypeVar("_T")


def submit(
    form: forms.BaseForm, call: Callable[[], _T], *, refused: Callable[[str], object] | None = None
) -> _T | None:
    """Call a service with a form's data: the service's result, or None when it said no.

    Its ValidationError goes onto the form (:func:`apply_service_errors`); a refusal (``NotPermitted``,
    ``TransitionNotAllowed``) goes to ``refused`` (e.g. a page message), else to the form's non-field errors.
    """
    try:
        return call()
    except ValidationError as exc:
        apply_service_errors(form, exc)
    except (NotPermitted, TransitionNotAllowed) as exc:
        if refused is None:
            form.add_error(None, exc.message)
        else:
            refused(exc.message)
    return None


class FastSelect(forms.Select):
    """A select rendered in Python, not one template per option: lists of units run into thousands."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
        multiple = self.allow_multiple_selected
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if key in selected else "", label)  # nosec B308  # a constant attribute
                for key, label in ((str(v) if v is not None else "", text) for v, text in self.choices)
            ),
        )
        attrs_html = format_html_join(" ", '{}="{}"', ((k, v) for k, v in final.items() if v not in (None, False)))
        return format_html(
            '<select name="{}"{} {}>{}</select>',
            name,
            mark_safe(" multiple") if multiple else "",  # nosec B308  # a constant attribute
            attrs_html,
            options,
        )


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


def run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Call a service; show its refusal as a message. True when it went through."""
    try:
        action()
    except (TransitionNotAllowed, NotPermitted) as exc:
        messages.error(request, exc.message)
        return False
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True
