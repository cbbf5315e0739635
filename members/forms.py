from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.forms import BootstrapFormMixin
from members import services
from members.models import Liaison, MemberUnit, Region, User


class RegionTreeField(forms.ModelChoiceField):
    """The division tree as one list, each 市州 followed by its 县市区 (indented by level)."""

    INDENT: dict[str, str] = {
        Region.Level.PROVINCE: "",
        Region.Level.CITY: "\u3000",
        Region.Level.COUNTY: "\u3000\u3000",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Region.objects.all(), **kwargs)

    def _get_choices(self) -> Any:
        return RegionTreeChoices(self)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)  # type: ignore[union-attr]


class RegionTreeChoices(BaseChoiceIterator):
    """Read when the widget is drawn (one query), not when the form is declared."""

    def __init__(self, field: RegionTreeField) -> None:
        self.field = field

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", str(self.field.empty_label))  # before the query: Select asks for the first choice
        children: dict[int | None, list[Region]] = {}
        for r in Region.objects.order_by("order", "code"):
            children.setdefault(r.parent_id, []).append(r)
        stack = list(reversed(children.get(None, [])))
        while stack:
            r = stack.pop()
            yield (r.pk, f"{RegionTreeField.INDENT.get(r.level, '')}{r.name}")
            stack.extend(reversed(children.get(r.pk, [])))


class TribunalForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("例如:榆中县人民法院甘草人民法庭"))
    short_name = forms.CharField(label=_("简称"), max_length=50, required=False)


class UnitFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *MemberUnit.Kind.choices])
    level = forms.ChoiceField(label=_("层级"), required=False, choices=[("", _("全部层级")), *MemberUnit.Level.choices])
    court_level = forms.ChoiceField(
        label=_("法院层级"), required=False, choices=[("", _("全部法院层级")), *MemberUnit.CourtLevel.choices]
    )
    region = RegionTreeField(label=_("所在区划"), required=False, empty_label=_("全省"))
    member = forms.BooleanField(label=_("仅成员单位"), required=False)


class ProfileForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "email", "phone", "language", "email_notifications"]
        help_texts = {"email_notifications": _("关闭后仍可在站内“通知”中看到所有提醒。")}


class LiaisonCreateForm(BootstrapFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @/./+/-/_ 字符。")},
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("邮箱"), required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    liaison_role = forms.ChoiceField(label=_("角色"), choices=Liaison.Role.choices, initial=Liaison.Role.PRIMARY)


class _SavesThroughService:
    """Django's password forms, saved by ``members.services.user_password_set`` (history, API tokens, flag)."""

    reason = ""
    user: User
    cleaned_data: dict[str, Any]

    def save(self, commit: bool = True) -> User:
        return services.user_password_set(
            user=self.user, password=self.cleaned_data["new_password1"], reason=self.reason
        )


class PasswordChangeForm(_SavesThroughService, BootstrapFormMixin, auth_forms.PasswordChangeForm):
    reason = "password changed"


class PasswordResetSetForm(_SavesThroughService, BootstrapFormMixin, auth_forms.SetPasswordForm):
    reason = "password reset by email"


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("电子邮箱"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
