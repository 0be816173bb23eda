"""The catalog in English: names kept beside the catalog in ``data/catalog.en.json``.

The catalog's own names (a type's name and description, its field labels, source categories and
severities) are Chinese and stored in the versions. Their English names live in a sibling file,
looked up by type code and field key, so a new version of a type keeps its English labels as long as
its fields keep their keys. A type or field the file does not know (e.g. published from the catalog
page with a new key) is shown by its Chinese name. Values a clerk enters (choices such as 罚款) are
data and stay as entered. Everything here answers in the active language: Chinese unless English is
active (``/en/`` pages, the API with ``Accept-Language: en`` or ``?lang=en``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import translation

EN_FILE = Path(__file__).resolve().parent / "data" / "catalog.en.json"


@cache
def _english() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EN_FILE.read_text(encoding="utf-8"))
    return data


CATALOG_FILE = Path(__file__).resolve().parent / "data" / "catalog.json"


@cache
def _code_by_name() -> dict[str, str]:
    """Chinese type name → code in the database (types added on the catalog page too)."""
    from .models import RecordType

    return dict(RecordType.objects.values_list("name", "code"))


@cache
def _file_code_by_name() -> dict[str, str]:
    """The same from the catalog file, without a query, for the places that keep only the name
    (publications, open data)."""
    catalog = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return {t["name"]: t["code"] for t in catalog["types"]}


def in_english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _type(code: str) -> dict[str, Any]:
    types: dict[str, Any] = _english()["types"]
    found: dict[str, Any] = types.get(code, {})
    return found


def type_name(code: str, name: str) -> str:
    """The type's name in the active language."""
    return str(_type(code).get("name", name)) if in_english() else name


def type_name_of(name: str) -> str:
    """The same, from the Chinese name alone."""
    if not in_english():
        return name
    code = _file_code_by_name().get(name) or _code_by_name().get(name)
    if code is None:
        _code_by_name.cache_clear()  # a type added since
        code = _code_by_name().get(name)
    return type_name(code, name) if code else name


def type_description(code: str, text: str) -> str:
    return str(_type(code).get("description", text)) if in_english() else text


def field_label(code: str, key: str, label: str) -> str:
    """A field's label in the active language (by type code and field key)."""
    if not in_english():
        return label
    return str(_type(code).get("fields", {}).get(key, label))


def labels(code: str, fields: list[dict[str, Any]]) -> dict[str, str]:
    """Field key → label in the active language, for a version's ``fields``."""
    return {spec["key"]: field_label(code, spec["key"], spec["label"]) for spec in fields}


def term(text: str) -> str:
    """A catalog term (source category, severity name) in the active language."""
    if not in_english():
        return text
    return str(_english()["terms"].get(text, text))


@cache
def _keys_by_label() -> dict[tuple[str, str], tuple[str, str]]:
    """(Chinese type name, Chinese field label) → (type code, field key), over every version."""
    from .models import RecordTypeVersion

    out: dict[tuple[str, str], tuple[str, str]] = {}
    for name, code, fields in RecordTypeVersion.objects.values_list("record_type__name", "record_type__code", "fields"):
        for spec in fields or []:
            out.setdefault((name, spec.get("label", "")), (code, spec.get("key", "")))
    return out


def field_label_by_name(type_zh_name: str, label: str) -> str:
    """A field's label in the active language, from the Chinese names of its type and of the field
    (for the portal, whose publications keep names, not codes)."""
    if not in_english():
        return label
    found = _keys_by_label().get((type_zh_name, label))
    if found is None:
        _keys_by_label.cache_clear()  # a version published since
        found = _keys_by_label().get((type_zh_name, label))
    return field_label(*found, label) if found else label


def type_name_by_code(code: str) -> str:
    """A type's name in the active language from its code alone (lists of codes, e.g. a sanctions rule's)."""
    if in_english() and "name" in _type(code):
        return str(_type(code)["name"])
    for names in (_file_code_by_name(), _code_by_name()):
        for name, found in names.items():
            if found == code:
                return name
    return code
