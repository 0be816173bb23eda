from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Purpose, QueryAction


class FindSubjectForm(forms.Form):
    q = forms.CharField(label=_("姓名、单位名称、身份证号或统一社会信用代码"), max_length=60, required=False)


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(label=_("查询目的"), choices=Purpose.choices)
    purpose_text = forms.CharField(label=_("目的说明（“其他”时必填）"), max_length=200, required=False)
    case_reference = forms.CharField(label=_("事由编号"), max_length=100,
                                     help_text=_("如干部考察、评优评先的文件编号"))


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=_("查询人"), max_length=50, required=False)
    subject = forms.CharField(label=_("被查询主体"), max_length=50, required=False)
    purpose = forms.ChoiceField(label=_("查询目的"), choices=[("", _("全部")), *Purpose.choices], required=False)
    action = forms.ChoiceField(label=_("操作"), choices=[("", _("全部")), *QueryAction.choices], required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("报告编号"), max_length=24)
    code = forms.CharField(label=_("核验码"), max_length=16)


class VerifyFileForm(forms.Form):
    file = forms.FileField(label=_("报告 PDF 文件"))


class ReviewForm(PurposeForm):
    file = forms.FileField(label=_("候选人名单（Excel 或 CSV：姓名＋身份证号，或单位名称＋统一社会信用代码）"))


class EducationTargetForm(forms.Form):
    hours = forms.IntegerField(label=_("年度目标学时"), min_value=1, max_value=500)
    reason = forms.CharField(label=_("依据"), max_length=200)


class RosterForm(forms.Form):
    file = forms.FileField(label=_("人事库名册（Excel 或 CSV：姓名、身份证号、工作单位、职务、职级、状态）"))


class ResolveForm(forms.Form):
    action = forms.ChoiceField(label=_("处理方式"), choices=[("register", _("登记该公务员")), ("post", _("按名册记录任职变动")),
                                                          ("dismiss", _("驳回（名册有误或无需处理）"))])
    reason = forms.CharField(label=_("处理说明"), max_length=300)
