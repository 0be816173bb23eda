"""Forms for the archive pages; the record form is built from the catalog version's field schema."""

from __future__ import annotations

from typing import Any

from django import forms

from govcredit.catalog import schema
from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.core import params

from .models import RecordStatus


class RecordFilterForm(forms.Form):
    q = forms.CharField(label="文书号或相对人", required=False, max_length=100)
    record_type = params.ModelChoiceField(label="类别", required=False, queryset=RecordType.objects.all(), empty_label="全部类别")
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *RecordStatus.choices])


def record_form_class(version: RecordTypeVersion) -> type[forms.Form]:
    """A form with one input per catalog field, named by the field key and labelled in Chinese."""
    fields: dict[str, forms.Field] = {}
    for spec in version.fields:
        label, required = spec["label"], bool(spec.get("required"))
        kind = spec["type"]
        field: forms.Field
        if kind == "enum":
            field = forms.ChoiceField(label=label, required=required, choices=[("", "—"), *[(c, c) for c in spec["choices"]]])
        elif kind == "multi_enum":
            field = forms.MultipleChoiceField(label=label, required=required, choices=[(c, c) for c in spec["choices"]],
                                              widget=forms.CheckboxSelectMultiple)
        elif kind == "date":
            field = forms.CharField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
        elif kind in {"text"} and not spec.get("max_length"):
            field = forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 2}))
        else:
            field = forms.CharField(label=label, required=required, max_length=schema.max_length(spec) or 200)
        fields[spec["key"]] = field
    return type("RecordForm", (forms.Form,), fields)


def raw_values(version: RecordTypeVersion, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Form data → raw values keyed by Chinese label, as the archive services take them."""
    out: dict[str, Any] = {}
    for spec in version.fields:
        value = cleaned.get(spec["key"])
        if isinstance(value, list):
            value = "、".join(value)
        if value not in (None, ""):
            out[spec["label"]] = value
    return out


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="新状态", choices=RecordStatus.choices)
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
