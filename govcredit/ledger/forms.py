"""The ledger page's search form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.core import params

from . import events


def _action_choices() -> list[tuple[str, str]]:
    return [("", str(_("全部动作"))), *sorted(((code, e.label()) for code, e in events.event_types().items()),
                                         key=lambda c: c[1])]


class LedgerSearchForm(forms.Form):
    subject = forms.CharField(label=_("对象"), required=False, max_length=100,
                              help_text=_("单位名称或统一社会信用代码、人员姓名、文书号、用户名"))
    action = forms.ChoiceField(label=_("动作"), required=False, choices=_action_choices)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=100)
    since = params.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = params.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("起始日期不能晚于截止日期"))
        return data
