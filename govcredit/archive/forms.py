"""Forms for the archive pages; the record form is built from the catalog version's field schema."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.catalog import i18n as catalog_i18n
from govcredit.catalog import schema
from govcredit.catalog.forms import RecordTypeField
from govcredit.catalog.models import RecordType, RecordTypeVersion

from .models import RecordStatus


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("文书号或相对人"), required=False, max_length=100)
    record_type = RecordTypeField(label=_("类别"), required=False, queryset=RecordType.objects.all(), empty_label=_("全部类别"))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *RecordStatus.choices])


def record_form_class(version: RecordTypeVersion) -> type[forms.Form]:
    """A form with one input per catalog field, named by the field key and labelled in the page's language.

    The choices of enum fields are values the record stores (data), shown as they are stored."""
    fields: dict[str, forms.Field] = {}
    code = version.record_type.code
    for spec in version.fields:
        label, required = catalog_i18n.field_label(code, spec["key"], spec["label"]), bool(spec.get("required"))
        kind = spec["type"]
        field: forms.Field
        if kind == "enum":
            field = forms.ChoiceField(label=label, required=required, choices=[("", "—"), *[(c, c) for c in spec["choices"]]],
                                     widget=forms.Select(attrs={"translate": "no"}))
        elif kind == "multi_enum":
            field = forms.MultipleChoiceField(label=label, required=required, choices=[(c, c) for c in spec["choices"]],
                                              widget=forms.CheckboxSelectMultiple(attrs={"translate": "no"}))
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
    status = forms.ChoiceField(label=_("新状态"), choices=RecordStatus.choices)
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
