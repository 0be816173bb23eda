"""The upload form of the intake pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.catalog.forms import RecordTypeField
from govcredit.catalog.models import RecordType
from govcredit.core import params
from govcredit.subjects.forms import org_picker
from govcredit.subjects.models import Organization

ACCEPT = ".csv,.txt,.xlsx,.jsonl,.ndjson,.json"


class UploadForm(forms.Form):
    record_type = RecordTypeField(label=_("信息类别"), queryset=RecordType.objects.filter(is_active=True),
                                         empty_label=None)
    org = params.ModelChoiceField(label=_("报送单位"), queryset=Organization.objects.none(), empty_label=None,
                                 widget=forms.Select(attrs={"translate": "no"}),
                                 help_text=_("只能以本单位或下级单位名义报送"))
    file = forms.FileField(label=_("文件"), help_text=_("CSV（UTF-8 或 GBK）、XLSX、JSON Lines；第一行或标题行下方为字段名"),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    sheet = forms.CharField(label=_("工作表（XLSX，可空）"), max_length=100, required=False)
    dry_run = forms.BooleanField(label=_("试运行：只校验，不写入"), required=False)

    def __init__(self, *args: Any, orgs: Any = None, initial_org: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
            self.fields["org"].widget = org_picker(orgs)
            self.fields["org"].widget.is_required = True
        if initial_org is not None:
            self.fields["org"].initial = initial_org.pk


class BatchFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import BatchStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *BatchStatus.choices]  # type: ignore[attr-defined]
