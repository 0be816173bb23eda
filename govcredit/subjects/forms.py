from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcredit.core import params
from govcredit.core.widgets import SearchPicker

from .models import Organization, OrgType, ServantStatus


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("名称或代码"), required=False, max_length=100)
    org_type = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *OrgType.choices])


class OrgCreateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    org_type = forms.ChoiceField(label=_("类型"), choices=OrgType.choices)
    region_code = forms.RegexField(label=_("行政区划代码"), regex=r"^\d{6}$", error_messages={"invalid": _("行政区划代码应为6位数字")})
    reason = forms.CharField(label=_("登记依据"), max_length=500, required=False)


class PersonCreateForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=40)
    post = forms.CharField(label=_("职务"), max_length=100)
    rank = forms.CharField(label=_("职级"), max_length=50, required=False)
    start_date = params.DateField(label=_("任职起始日期"), widget=forms.DateInput(attrs={"type": "date"}))


class OrgEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    org_type = forms.ChoiceField(label=_("类型"), choices=OrgType.choices)
    region_code = forms.RegexField(label=_("行政区划代码"), regex=r"^\d{6}$", error_messages={"invalid": _("行政区划代码应为6位数字")})
    is_active = forms.BooleanField(label=_("有效"), required=False)
    reason = forms.CharField(label=_("修改理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)
    id_number = forms.CharField(label=_("身份证号（精确）"), required=False, max_length=18)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *ServantStatus.choices])


class PostChangeForm(forms.Form):
    employer = params.ModelChoiceField(label=_("工作单位"), queryset=Organization.objects.none(),
                                      widget=forms.Select(attrs={"translate": "no"}))
    post = forms.CharField(label=_("职务"), max_length=100)
    rank = forms.CharField(label=_("职级"), max_length=50, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=ServantStatus.choices)
    effective = params.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("变动理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, employers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["employer"]
        field.queryset = employers  # type: ignore[attr-defined]
        field.widget = org_picker(employers)
        field.widget.is_required = True


def suggest_url(kind: str) -> str:
    """The picker's JSON endpoint for ``kind`` (``org``, ``person`` or ``any``)."""
    return f"{reverse('api-1.0:suggest_subjects')}?kind={kind}"


def org_picker(orgs: Any) -> SearchPicker:
    """A search-as-you-type organisation field over ``orgs`` (the form field validates against them too)."""
    def label_of(pk: str) -> str:
        org = orgs.filter(pk=params.parse_id(pk) or params.NO_ROW).first()
        return org.name if org else ""

    return SearchPicker(lambda: suggest_url("org"), "org", label_of)
