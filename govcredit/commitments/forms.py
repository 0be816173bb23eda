"""Forms of the project and promise pages: they parse; the rules are in :mod:`.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.subjects.models import Organization

from .models import DutyKind, PromiseChange, PromiseKind, PromiseStatus, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"})


class OrgChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _org_field(orgs: Any, label: Any) -> OrgChoice:
    return OrgChoice(queryset=orgs, label=label, widget=forms.Select(attrs={"translate": "no"}))


class ProjectFilter(forms.Form):
    q = forms.CharField(label=_("项目名称或编号"), required=False, max_length=50)
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", _("全部阶段")), *Stage.choices])


class PromiseFilter(forms.Form):
    q = forms.CharField(label=_("编号、投资方或文件"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *PromiseStatus.choices])
    turnover = forms.BooleanField(label=_("仅看前任作出、尚未兑现的承诺"), required=False)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    partner_name = forms.CharField(label=_("社会资本方"), max_length=200, required=False)
    partner_code = forms.CharField(label=_("社会资本方统一社会信用代码"), max_length=18, required=False)
    investment = forms.DecimalField(label=_("总投资（万元）"), max_digits=16, decimal_places=2, min_value=0, widget=AMOUNT)
    responsible_post = forms.CharField(label=_("识别阶段责任岗位（如：区长、局长）"), max_length=100)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)

    def __init__(self, *args: Any, orgs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"org": _org_field(orgs if orgs is not None else Organization.objects.none(), _("实施机构")),
                       **self.fields}


class StageForm(forms.Form):
    responsible_post = forms.CharField(label=_("下一阶段责任岗位"), max_length=100, required=False)
    started_on = forms.DateField(label=_("下一阶段开始日期"), widget=DATE)
    reason = forms.CharField(label=_("理由"), max_length=500)


class DutyForm(forms.Form):
    kind = forms.ChoiceField(label=_("义务类别"), choices=DutyKind.choices)
    title = forms.CharField(label=_("义务内容"), max_length=200)
    basis = forms.CharField(label=_("依据（合同条款、文件）"), max_length=200)
    amount = forms.DecimalField(label=_("金额（万元）"), max_digits=16, decimal_places=2, min_value=0, required=False,
                                widget=AMOUNT)
    due_on = forms.DateField(label=_("履行期限"), widget=DATE)


class FulfilForm(forms.Form):
    done_on = forms.DateField(label=_("履行日期（公开日期）"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class PromiseForm(forms.Form):
    investor_name = forms.CharField(label=_("投资方"), max_length=200)
    investor_code = forms.CharField(label=_("投资方统一社会信用代码"), max_length=18, required=False)
    contact = forms.CharField(label=_("投资方联系电话"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("承诺类别"), choices=PromiseKind.choices)
    terms = forms.CharField(label=_("承诺内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("法律政策依据"), max_length=300)
    document = forms.CharField(label=_("合同或文件编号"), max_length=100)
    amount = forms.DecimalField(label=_("金额（万元）"), max_digits=16, decimal_places=2, min_value=0, required=False,
                                widget=AMOUNT)
    promised_on = forms.DateField(label=_("承诺日期"), widget=DATE)
    due_on = forms.DateField(label=_("兑现期限"), widget=DATE)
    responsible_post = forms.CharField(label=_("责任岗位（如：区长）"), max_length=100)

    def __init__(self, *args: Any, orgs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"org": _org_field(orgs if orgs is not None else Organization.objects.none(), _("承诺单位")),
                       **self.fields}


class ChangeForm(forms.Form):
    legal_basis = forms.CharField(label=_("变更的法律依据"), max_length=300, required=False)
    procedure = forms.CharField(label=_("履行的程序（决策文件、会议纪要编号）"), max_length=300, required=False)
    reason = forms.CharField(label=_("变更理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    new_terms = forms.CharField(label=_("变更后承诺内容（不变则留空）"), max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    new_due_on = forms.DateField(label=_("新兑现期限（不变则留空）"), required=False, widget=DATE)
    new_amount = forms.DecimalField(label=_("新金额（万元，不变则留空）"), max_digits=16, decimal_places=2, min_value=0,
                                    required=False, widget=AMOUNT)
    terminates = forms.BooleanField(label=_("依法解除该承诺"), required=False)


class CompensationForm(forms.Form):
    amount = forms.DecimalField(label=_("补偿金额（万元）"), max_digits=16, decimal_places=2, min_value=0, widget=AMOUNT)
    description = forms.CharField(label=_("补偿内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    paid_on = forms.DateField(label=_("补偿日期"), widget=DATE)
    change = forms.ModelChoiceField(label=_("对应变更（可选）"), queryset=PromiseChange.objects.none(), required=False)

    def __init__(self, *args: Any, changes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["change"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = changes if changes is not None else PromiseChange.objects.none()


class KeepForm(forms.Form):
    kept_on = forms.DateField(label=_("兑现日期"), widget=DATE)
    reason = forms.CharField(label=_("兑现情况"), max_length=500)


class FollowForm(forms.Form):
    number = forms.CharField(label=_("承诺编号"), max_length=20)
    code = forms.CharField(label=_("查询码"), max_length=20, widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class ImportForm(forms.Form):
    """The file of PPP projects and promises to import (XLSX or CSV, at most ``MAX_BYTES``)."""

    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(label=_("文件（XLSX 或 CSV）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB，请分成几个文件导入"))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 XLSX 或 CSV 文件"))
        return upload
