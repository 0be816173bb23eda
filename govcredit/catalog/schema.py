"""Validation of a record's field values against a catalog version's field schema.

A field is ``{"key", "label", "type", "required", "choices", "aliases", "column", "max_length"}``.
``type`` is one of text, integer, decimal, date, enum, multi_enum, credit_code, id_number.
``column`` names the archive column the value goes to; fields without one go to ``data``.
Values may arrive under the key, the Chinese label or an alias (as in a spreadsheet header).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from govcredit.subjects.identifiers import IdentifierError, parse_credit_code, parse_id_number

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MULTI_SEPARATORS = re.compile(r"[;；,，、/]")


class FieldError(ValueError):
    """A value that does not satisfy its field's rule; the message is Chinese and names the rule."""


def clean_text(raw: Any, *, fold: bool = False) -> str:
    """Trim; with ``fold``, also turn full-width letters, digits and brackets into half-width.

    Folding suits codes, numbers, dates and column names; free Chinese text keeps its full-width
    punctuation.
    """
    if raw is None:
        return ""
    text = str(raw).strip()
    return unicodedata.normalize("NFKC", text).strip() if fold else text


def fold_name(name: Any) -> str:
    """A column name as matched: NFKC, case-folded, without spaces, brackets, punctuation, ``-`` or ``_``.

    Case systems write the same column as ``行政相对人代码_1(统一社会信用代码)``,
    ``行政相对人代码-1（统一社会信用代码）`` or ``行政相对人代码_1 (统一社会信用代码)``; all fold alike.
    """
    text = unicodedata.normalize("NFKC", "" if name is None else str(name)).casefold()
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "C", "S")))


def parse_date(raw: Any) -> dt.date:
    """Accept ISO dates, 2024/3/5, 2024年3月5日, 20240305, datetimes and Excel serial numbers."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        serial = float(raw)
        if 1 <= serial < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial))
        raise FieldError(f"“{raw}”不是有效日期")
    text = clean_text(raw, fold=True)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text))
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        raise FieldError(f"“{text}”不是有效日期（应为 2024-03-05、2024/3/5 或 2024年3月5日）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise FieldError(f"“{text}”不是有效日期") from None


def parse_decimal(raw: Any) -> Decimal:
    text = clean_text(raw, fold=True).replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FieldError(f"“{text}”不是有效数字") from None
    if not value.is_finite() or value < 0:
        raise FieldError(f"“{text}”应为非负数")
    if value >= Decimal("1e10"):
        raise FieldError(f"“{text}”超出金额范围")
    return value


def _clean_one(spec: dict[str, Any], raw: Any) -> Any:
    kind = spec["type"]
    if kind == "date":
        return parse_date(raw)
    if kind == "decimal":
        return parse_decimal(raw)
    text = clean_text(raw, fold=kind in {"integer", "credit_code", "id_number"})
    if kind == "integer":
        if not re.fullmatch(r"-?\d+(\.0+)?", text):
            raise FieldError(f"“{text}”不是整数")
        return int(float(text))
    if kind == "enum":
        if text not in spec["choices"]:
            raise FieldError(f"“{text}”不在可选值内（{'、'.join(spec['choices'])}）")
        return text
    if kind == "multi_enum":
        parts = [p.strip() for p in MULTI_SEPARATORS.split(text) if p.strip()]
        bad = [p for p in parts if p not in spec["choices"]]
        if bad:
            raise FieldError(f"“{'、'.join(bad)}”不在可选值内（{'、'.join(spec['choices'])}）")
        return parts
    if kind == "credit_code":
        try:
            return parse_credit_code(text).code
        except IdentifierError as e:
            raise FieldError(e.message) from None
    if kind == "id_number":
        try:
            return parse_id_number(text).number
        except IdentifierError as e:
            raise FieldError(e.message) from None
    max_length = spec.get("max_length")
    if max_length and len(text) > max_length:
        raise FieldError(f"长度超过 {max_length} 个字符")
    return text


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and clean_text(raw) == "")


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)  # by field key
    errors: dict[str, str] = field(default_factory=dict)  # by field label

    @property
    def ok(self) -> bool:
        return not self.errors


def header_map(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every accepted name of every field (key, label, aliases, and each folded by :func:`fold_name`) → field."""
    names: dict[str, dict[str, Any]] = {}
    for spec in fields:
        for name in [spec["key"], spec["label"], *spec.get("aliases", [])]:
            names[name] = spec
            names[fold_name(name)] = spec
    return names


def validate(fields: list[dict[str, Any]], raw: dict[str, Any]) -> Cleaned:
    """Check raw values (keyed by field key, label or alias) against the schema."""
    names = header_map(fields)
    by_key: dict[str, Any] = {}
    unknown = []
    for name, value in raw.items():
        spec = names.get(name) or names.get(fold_name(name))
        if spec is None:
            unknown.append(name)
            continue
        by_key[spec["key"]] = value
    out = Cleaned()
    for name in unknown:
        out.errors[str(name)] = "目录中没有这个字段"
    for spec in fields:
        value = by_key.get(spec["key"])
        if is_blank(value):
            if spec.get("required"):
                out.errors[spec["label"]] = "必填项为空"
            continue
        try:
            out.values[spec["key"]] = _clean_one(spec, value)
        except FieldError as e:
            out.errors[spec["label"]] = str(e)
    return out
