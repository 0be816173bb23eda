"""Forms of the user-management pages and of the password change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.subjects.models import Organization
from govcredit.subjects.selectors import visible_orgs

from .models import Role


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("用户名、姓名或单位"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])
    active = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), ("1", _("启用")), ("0", _("已停用"))])


class OrganizationField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An organisation chosen by id (a hidden input the search-as-you-type widget fills), limited to the
    organisations the acting user sees."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Organization.objects.none(), required=False, label=_("所属单位"), **kwargs)


class AccountForm(forms.Form):
    """Role, organisation and display name: what creating and editing a user share."""

    display_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    organization = OrganizationField()

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationField)
        field.queryset = visible_orgs(actor)


class UserCreateForm(AccountForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    field_order = ["username", "display_name", "role", "organization"]


class UserEditForm(AccountForm):
    reason = forms.CharField(label=_("理由"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码（或临时密码）"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("新密码"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("再次输入新密码"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data
