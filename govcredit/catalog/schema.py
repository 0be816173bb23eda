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
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from govcredit.core import params
from govcredit.core.errors import DomainError
from govcredit.subjects.identifiers import IdentifierError, parse_credit_code, parse_id_number

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MULTI_SEPARATORS = re.compile(r"[;；,，、/]")

# How the archive stores values; a value is checked as it will be stored, after rounding, so a value the
# check accepts can always be saved, read back, summed and digested (archive.models uses these figures).
DECIMAL_PLACES = 6
DECIMAL_MAX_DIGITS = 16
DECIMAL_STEP = Decimal(1).scaleb(-DECIMAL_PLACES)
#: PostgreSQL's numeric(16,6) holds 10 integer digits, but SQLite stores the column as a REAL and Django
#: reads it back with 15 significant digits: 9 integer digits and 6 places are what both keep exactly.
DECIMAL_INTEGER_DIGITS = 15 - DECIMAL_PLACES
DECIMAL_LIMIT = Decimal(10) ** DECIMAL_INTEGER_DIGITS  # exclusive
#: Integers are stored in JSON and read by Polars as Int64 and by browsers as doubles: exact below 10^15.
INTEGER_LIMIT = 10**15
#: Dates outside this range are typing errors; inside it, date arithmetic (publicity periods) cannot overflow.
DATE_MIN, DATE_MAX = params.DATE_MIN, params.DATE_MAX
#: Length of the archive's character columns (archive.models); a text field's limit is the smaller of
#: its own ``max_length`` and its column's.
COLUMN_MAX_LENGTH = {
    "counterparty_name": 200, "counterparty_kind": 10, "counterparty_code": 18, "legal_representative": 50,
    "decision_number": 100, "authority_name": 200, "severity": 10,
}


class FieldError(DomainError, ValueError):
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
        raise FieldError(_("“%(value)s”不是有效日期") % {"value": raw})
    text = clean_text(raw, fold=True)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text))
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        raise FieldError(_("“%(value)s”不是有效日期（应为 2024-03-05、2024/3/5 或 2024年3月5日）") % {"value": text})
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise FieldError(_("“%(value)s”不是有效日期") % {"value": text}) from None


def check_date(value: dt.date) -> dt.date:
    """Refuse dates outside ``DATE_MIN``..``DATE_MAX`` (e.g. 9999-12-31), whatever their spelling."""
    try:
        return params.in_range(value)
    except ValueError as e:
        raise FieldError(str(e)) from None


def parse_decimal(raw: Any) -> Decimal:
    """A non-negative amount rounded to the archive's 6 places; checked after rounding, as it is stored.

    (9999999999.9999999 is below 10^10 but rounds to 10000000000.000000, which numeric(16,6) cannot hold.)
    Values with 6 places or fewer keep their spelling (100 stays 100, not 100.000000).
    """
    text = clean_text(raw, fold=True).replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FieldError(_("“%(value)s”不是有效数字") % {"value": text}) from None
    if not value.is_finite() or value < 0:
        raise FieldError(_("“%(value)s”应为非负数") % {"value": text})
    too_large = FieldError(_("“%(value)s”超出金额范围（保留 %(places)s 位小数后应小于 %(limit)s）")
                           % {"value": text, "places": DECIMAL_PLACES, "limit": f"{DECIMAL_LIMIT:,}"})
    if value >= DECIMAL_LIMIT:  # before rounding, so a huge exponent never reaches quantize
        raise too_large
    if int(value.as_tuple().exponent) < -DECIMAL_PLACES:
        value = value.quantize(DECIMAL_STEP, rounding=ROUND_HALF_UP)
        if value >= DECIMAL_LIMIT:
            raise too_large
    return value


def parse_integer(text: str) -> int:
    """An integer (``12`` or ``12.0``) of at most 15 digits, read exactly (never through a float)."""
    if not re.fullmatch(r"-?\d+(\.0+)?", text):
        raise FieldError(_("“%(value)s”不是整数") % {"value": text})
    value = int(text.split(".")[0])
    if abs(value) >= INTEGER_LIMIT:
        raise FieldError(_("“%(value)s”超出整数范围（绝对值应小于 10 的 15 次方）") % {"value": text})
    return value


def max_length(spec: dict[str, Any]) -> int | None:
    """The length a field's text may have: its own limit or its archive column's, whichever is smaller."""
    limits = [n for n in (spec.get("max_length"), COLUMN_MAX_LENGTH.get(spec.get("column") or "")) if n]
    return min(limits) if limits else None


def _clean_one(spec: dict[str, Any], raw: Any) -> Any:
    kind = spec["type"]
    if isinstance(raw, list | tuple | dict):
        if kind != "multi_enum" or isinstance(raw, dict):
            raise FieldError(_("应为单个值，不能是数组或对象"))
        raw = "、".join(clean_text(p) for p in raw)  # a multi-choice as the API returns it: ["警告", "罚款"]
    if kind == "date":
        return check_date(parse_date(raw))
    if kind == "decimal":
        return parse_decimal(raw)
    text = clean_text(raw, fold=kind in {"integer", "credit_code", "id_number"})
    if kind == "integer":
        return parse_integer(text)
    if kind == "enum":
        if text not in spec["choices"]:
            raise FieldError(_("“%(value)s”不在可选值内（%(choices)s）") % {"value": text, "choices": "、".join(spec["choices"])})
        return text
    if kind == "multi_enum":
        parts = [p.strip() for p in MULTI_SEPARATORS.split(text) if p.strip()]
        bad = [p for p in parts if p not in spec["choices"]]
        if bad:
            raise FieldError(_("“%(value)s”不在可选值内（%(choices)s）") % {"value": "、".join(bad), "choices": "、".join(spec["choices"])})
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
    return _check_length(spec, text)


def _check_length(spec: dict[str, Any], text: str) -> str:
    limit = max_length(spec)
    if limit and len(text) > limit:
        raise FieldError(_("长度超过 %(limit)s 个字符") % {"limit": limit})
    return text


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and clean_text(raw) == "") or (isinstance(raw, list | tuple) and not raw)


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
        out.errors[str(name)] = _("目录中没有这个字段")
    for spec in fields:
        value = by_key.get(spec["key"])
        if is_blank(value):
            if spec.get("required"):
                out.errors[spec["label"]] = _("必填项为空")
            continue
        try:
            out.values[spec["key"]] = _clean_one(spec, value)
        except FieldError as e:
            out.errors[spec["label"]] = str(e)
    return out
