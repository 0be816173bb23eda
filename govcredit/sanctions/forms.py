"""Forms of the sanctions pages; the services check every rule again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.catalog.i18n import type_name
from govcredit.catalog.models import SubjectKind
from govcredit.core.params import DateField

from .i18n import measure_name
from .models import Effect, Ground, MeasureType, Outcome, Purpose

KIND_CHOICES = [(SubjectKind.ORGANIZATION.value, SubjectKind.ORGANIZATION.label),
                (SubjectKind.CIVIL_SERVANT.value, SubjectKind.CIVIL_SERVANT.label)]
PURPOSE_CHOICES = [(p.value, p.label) for p in Purpose]


class MeasureForm(forms.Form):
    legal_basis = forms.CharField(label=_("依据"), widget=forms.Textarea(attrs={"rows": 3, "translate": "no"}))
    duration_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=120)
    subject_kinds = forms.MultipleChoiceField(label=_("适用主体"), choices=KIND_CHOICES, widget=forms.CheckboxSelectMultiple)
    restricts = forms.MultipleChoiceField(label=_("限制事项（惩戒）"), choices=PURPOSE_CHOICES, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    favours = forms.MultipleChoiceField(label=_("优先事项（激励）"), choices=PURPOSE_CHOICES, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    effect = forms.ChoiceField(label=_("附带办理"), choices=Effect.choices, required=False)
    rectification_days = forms.IntegerField(label=_("整改期限（天，限期整改时；空为 10 天）"), min_value=1, max_value=365,
                                            required=False, initial=10)
    rectification_working_days = forms.BooleanField(label=_("整改期限按工作日计算（不选：按自然日）"), required=False,
                                                    initial=True)
    is_active = forms.BooleanField(label=_("启用"), required=False)
    reason = forms.CharField(label=_("发布理由"), max_length=500)

    def clean_rectification_days(self) -> int:
        days: int | None = self.cleaned_data.get("rectification_days")
        return 10 if days is None else days


class RuleForm(forms.Form):
    record_types = forms.MultipleChoiceField(label=_("信息类别"), widget=forms.CheckboxSelectMultiple)
    severities = forms.CharField(label=_("严重程度（以顿号分隔，空为不限）"), required=False, max_length=100)
    subject_kinds = forms.MultipleChoiceField(label=_("适用主体"), choices=KIND_CHOICES, widget=forms.CheckboxSelectMultiple)
    min_count = forms.IntegerField(label=_("记录数不少于"), min_value=1, max_value=100)
    within_years = forms.IntegerField(label=_("统计年限（年）"), min_value=1, max_value=10)
    measures = forms.MultipleChoiceField(label=_("触发的措施"), widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("启用"), required=False)
    reason = forms.CharField(label=_("发布理由"), max_length=500)

    def __init__(self, *args: Any, record_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_types"].choices = [(code, type_name(code, name)) for code, name in record_types]  # type: ignore[attr-defined]
        self.fields["measures"].choices = [(m.code, measure_name(m.code, m.name))  # type: ignore[attr-defined]
                                           for m in MeasureType.objects.all()]

    def clean_severities(self) -> list[str]:
        text = self.cleaned_data["severities"] or ""
        return [s.strip() for s in text.replace(",", "、").replace("，", "、").split("、") if s.strip()]


class FaultToleranceForm(forms.Form):
    grounds = forms.MultipleChoiceField(label=_("情形"), choices=Ground.choices, widget=forms.CheckboxSelectMultiple)
    statement = forms.CharField(label=_("申请理由（止损、挽回损失或纠错的经过）"), widget=forms.Textarea(attrs={"rows": 4}),
                                max_length=2000)


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("办理"))
    reason = forms.CharField(label=_("意见或说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = choices  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料（PDF、JPEG 或 PNG）"))


class FindingForm(forms.Form):
    outcome = forms.ChoiceField(label=_("认定结果"), choices=Outcome.choices)
    lighten_to = DateField(label=_("减轻：措施提前结束于"), required=False)
    meeting_on = DateField(label=_("集体决策会议日期"))
    deciders = forms.CharField(label=_("参加决策人员（以顿号分隔）"), max_length=500)
    minutes = forms.FileField(label=_("会议纪要（PDF、JPEG 或 PNG）"))
    reason = forms.CharField(label=_("认定理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_deciders(self) -> list[str]:
        text = self.cleaned_data["deciders"]
        return [s.strip() for s in text.replace(",", "、").replace("，", "、").split("、") if s.strip()]


class EligibilityForm(forms.Form):
    subject = forms.CharField(label=_("主体（统一社会信用代码、身份证号或名称）"), max_length=100)
    participation = forms.ChoiceField(label=_("参与事项"), choices=PURPOSE_CHOICES)
    on_date = DateField(label=_("日期"))
    purpose = forms.CharField(label=_("查询事由"), max_length=200)


class BatchEligibilityForm(forms.Form):
    file = forms.FileField(label=_("主体名单（XLSX，表头：名称、统一社会信用代码、身份证号）"))
    participation = forms.ChoiceField(label=_("参与事项"), choices=PURPOSE_CHOICES)
    on_date = DateField(label=_("日期"))
    purpose = forms.CharField(label=_("查询事由"), max_length=200)
