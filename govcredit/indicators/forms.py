"""Forms of the indicator pages (Chinese labels, translated)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from govcredit.subjects.models import Organization

from .models import Direction, Indicator, Origin


class MonthField(forms.CharField):
    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        try:
            year, month = text[:7].split("-")
            return dt.date(int(year), int(month), 1)
        except ValueError as exc:
            raise forms.ValidationError(_("期间格式应为 YYYY-MM")) from exc


class ValueForm(forms.Form):
    indicator = forms.ModelChoiceField(Indicator.objects.filter(origin=Origin.ENTERED).order_by("order"),
                                       label=_("指标"), widget=forms.Select(attrs={"translate": "no"}))
    subject = forms.ModelChoiceField(Organization.objects.none(), label=_("主体"),
                                     widget=forms.Select(attrs={"translate": "no"}))
    period = MonthField(label=_("期间"), widget=forms.TextInput(attrs={"type": "month"}))
    value = forms.DecimalField(label=_("数值"), required=False, max_digits=20, decimal_places=4)
    note = forms.CharField(label=_("说明或更正理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, subjects: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX 文件"))


class RuleForm(forms.Form):
    direction = forms.ChoiceField(choices=Direction.choices, label=_("方向"))
    yellow = forms.DecimalField(label=_("黄色线"), required=False)
    orange = forms.DecimalField(label=_("橙色线"), required=False)
    red = forms.DecimalField(label=_("红色线"), required=False)
    watch_line = forms.DecimalField(label=_("警戒线（仅标示）"), required=False)
    source_document = forms.CharField(label=_("依据文件"), widget=forms.Textarea(attrs={"rows": 2}))
    secondary_source = forms.BooleanField(label=_("依据为二手资料"), required=False)
