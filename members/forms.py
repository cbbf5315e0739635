from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.lib.forms import BootstrapFormMixin
from members.models import MemberUnit, Region, User


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
