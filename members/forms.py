from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.forms import BootstrapFormMixin
from members.models import Liaison, MemberUnit, Region, User


class UnitFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *MemberUnit.Kind.choices])
    level = forms.ChoiceField(label=_("层级"), required=False, choices=[("", _("全部层级")), *MemberUnit.Level.choices])
    region = forms.ModelChoiceField(
        label=_("市州"), required=False, queryset=Region.objects.all(), empty_label=_("全部市州")
    )
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
