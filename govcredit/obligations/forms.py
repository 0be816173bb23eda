from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ObligationStatus

SHOW_CHOICES = [("owed", _("未履行")), *ObligationStatus.choices, ("all", _("全部"))]
SEVERITY_CHOICES = [("一般", _("一般")), ("严重", _("严重"))]


class ObligationFilter(forms.Form):
    show = forms.ChoiceField(label=_("状态"), choices=SHOW_CHOICES, required=False)
    q = forms.CharField(label=_("编号、事项或债权人"), max_length=50, required=False)


class ConfirmForm(forms.Form):
    severity = forms.ChoiceField(label=_("严重程度"), choices=SEVERITY_CHOICES)
    decision_number = forms.CharField(label=_("认定文号"), max_length=100, required=False,
                                      help_text=_("留空则用履约事项编号"))
    include_person = forms.BooleanField(label=_("同时认定责任人"), required=False, initial=True)
    reason = forms.CharField(label=_("认定理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("驳回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class TrackForm(forms.Form):
    reference = forms.CharField(label=_("编号"), max_length=60)
    code = forms.CharField(label=_("查询码"), max_length=20)
    complaint = forms.CharField(label=_("投诉内容（如需投诉拖欠款项）"), widget=forms.Textarea(attrs={"rows": 3}),
                                required=False, max_length=1000)
