import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.core import params

from . import i18n
from .models import BatchMode, Disclosure, Polarity, RecordType


class RecordTypeField(params.ModelChoiceField):
    """A choice of catalog types, named in the page's language."""

    def label_from_instance(self, obj: RecordType) -> str:
        return i18n.type_name(obj.code, obj.name)


class JSONListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 12, "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        try:
            data = json.loads(text or "[]")
        except ValueError as e:
            raise forms.ValidationError(_("不是有效的 JSON：%(error)s") % {"error": e}) from None
        if not isinstance(data, list):
            raise forms.ValidationError(_("应为 JSON 数组"))
        return data

    def prepare_value(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False, indent=1) if isinstance(value, list) else value


class VersionForm(forms.Form):
    polarity = forms.ChoiceField(label=_("性质"), choices=Polarity.choices)
    source_category = forms.CharField(label=_("信息来源"), max_length=20)
    disclosure = forms.ChoiceField(label=_("公开属性"), choices=Disclosure.choices)
    batch_mode = forms.ChoiceField(label=_("批量方式"), choices=BatchMode.choices)
    double_publicity = forms.BooleanField(label=_("双公示"), required=False)
    subject_kinds = JSONListField(label=_("适用主体（organization / civil_servant / counterparty）"))
    severities = JSONListField(label=_("严重程度及公示期（月）"))
    field_specs = JSONListField(label=_("字段"))
    submitters = JSONListField(label=_("报送单位统一社会信用代码（空数组为不限）"), required=False)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("发布理由"), max_length=500)
