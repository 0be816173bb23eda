"""Forms for the archive pages; the record form is built from the catalog version's field schema."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govcredit.catalog import i18n as catalog_i18n
from govcredit.catalog import schema
from govcredit.catalog.forms import RecordTypeField
from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.core.widgets import DataCheckboxes

from .models import RecordStatus


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("文书号、相对人或主体名称"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("文书号、相对人、单位或公务员名称")}))
    record_type = RecordTypeField(label=_("类别"), required=False, queryset=RecordType.objects.all(), empty_label=_("全部类别"))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *RecordStatus.choices])


# Text that goes into these archive columns (TextField) is long; other text is a single line.
LONG_COLUMNS = {"facts", "legal_basis", "result"}
LONG_TEXT = 200  # a field allowed more characters than this gets a text area


def is_long_text(spec: dict[str, Any]) -> bool:
    """Does the catalog field hold prose (a text area) rather than a short value (one line)?"""
    limit = schema.max_length(spec)
    return spec["type"] == "text" and (spec.get("column") in LONG_COLUMNS or (limit is not None and limit > LONG_TEXT))


def record_form_class(version: RecordTypeVersion) -> type[forms.Form]:
    """A form with one input per catalog field, named by the field key and labelled in the page's language.

    Short values get one line (with the catalog's length as ``maxlength``), prose a text area, dates a date
    input, amounts a decimal keyboard on phones; choices a drop-down (they are few) or check boxes. The
    choices of enum fields are values the record stores (data), shown as they are stored.
    """
    fields: dict[str, forms.Field] = {}
    code = version.record_type.code
    for spec in version.fields:
        label, required = catalog_i18n.field_label(code, spec["key"], spec["label"]), bool(spec.get("required"))
        kind = spec["type"]
        limit = schema.max_length(spec)
        field: forms.Field
        if kind == "enum":
            field = forms.ChoiceField(label=label, required=required, choices=[("", "—"), *[(c, c) for c in spec["choices"]]],
                                     widget=forms.Select(attrs={"translate": "no"}))
        elif kind == "multi_enum":
            field = forms.MultipleChoiceField(label=label, required=required, choices=[(c, c) for c in spec["choices"]],
                                              widget=DataCheckboxes())
        elif kind == "date":
            field = forms.CharField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
        elif is_long_text(spec):
            field = forms.CharField(label=label, required=required, max_length=limit,
                                    widget=forms.Textarea(attrs={"rows": 3, "class": "long", "translate": "no"}))
        elif kind == "decimal":
            field = forms.CharField(label=label, required=required, max_length=30,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        else:
            attrs = {"class": "wide"} if (limit or 200) > 50 else {}
            field = forms.CharField(label=label, required=required, max_length=limit or 200,
                                    widget=forms.TextInput(attrs=attrs))
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


class CorrectionReasonForm(forms.Form):
    reason = forms.CharField(label=_("更正理由"), max_length=500,
                             widget=forms.TextInput(attrs={"class": "wide"}),
                             help_text=_("写入留痕记录，例如：原文书号录入错误"))
