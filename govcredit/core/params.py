"""Ids, dates and months from URLs, query strings, forms and API inputs: parsed and bounded here, once.

Without bounds an id beyond 64 bits reaches the database (SQLite raises ``OverflowError``, PostgreSQL
a ``DataError``) and a date such as 9999-12-31 overflows the first ``+ timedelta``: a 500 either way.

- An id that no row can have (not positive, or beyond a 64-bit integer) becomes ``NO_ROW``: it finds
  nothing, exactly as an id that is merely absent does, so it answers the same 404 (or empty list).
- A malformed value, or a date or month outside ``DATE_MIN``..``DATE_MAX``, is refused with a Chinese
  message: ``BadParameter`` (400) on pages, a 422 with the field named in the API (its error format).

Pages use ``query_id``/``query_pk``/``query_date``/``query_month`` and the ``<id:pk>`` path converter; forms use
``ModelChoiceField``/``DateField``; ninja handlers annotate ``ObjectId``/``Day``/``Month``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any

from django import forms
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

#: The largest primary key SQLite's INTEGER and PostgreSQL's bigint hold.
ID_MAX = 2**63 - 1
#: The id an out-of-range id becomes: no row has it.
NO_ROW = -1
#: The dates the system reads and stores (catalog values, filters, periods).
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2999, 12, 31)
_DIGITS = re.compile(r"[0-9]+")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


class BadParameter(BadRequest):
    """A malformed or out-of-range parameter; the message is Chinese and shown on the 400 page."""


def bound_id(value: int) -> int:
    """``value`` if a row can have it, else ``NO_ROW``."""
    return value if 1 <= value <= ID_MAX else NO_ROW


def parse_id(text: str) -> int | None:
    """Digits → a bounded id (``NO_ROW`` when too large); None when ``text`` is not a number."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    return bound_id(int(text)) if len(text) <= len(str(ID_MAX)) else NO_ROW


def in_range(day: dt.date) -> dt.date:
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(_("日期 %(day)s 超出范围（应在 %(min)s 至 %(max)s 之间）") % {
            "day": day.isoformat(), "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()})
    return day


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` within range; ValueError with a Chinese message otherwise."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("“%(value)s”不是有效日期（应为 YYYY-MM-DD）") % {"value": text}) from None
    return in_range(day)


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` within range → the first of that month; ValueError with a Chinese message otherwise."""
    m = _MONTH.fullmatch(text.strip())
    try:
        if m is None:
            raise ValueError
        day = dt.date(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ValueError(_("“%(value)s”不是有效月份（应为 YYYY-MM）") % {"value": text}) from None
    return in_range(day)


# --------------------------------------------------------------------------- pages

def query_id(params: Mapping[str, Any], name: str) -> int | None:
    """An id from a query string or form post: None when absent, 400 when not a number."""
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise BadParameter(f"参数 {name} 应为正整数编号")
    return value


def query_pk(params: Mapping[str, Any], name: str) -> int:
    """``query_id`` for a lookup that an absent parameter should match nothing with."""
    value = query_id(params, name)
    return NO_ROW if value is None else value


def query_date(params: Mapping[str, Any], name: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date from a query string: None when absent, 400 when malformed or out of range."""
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError as e:
        raise BadParameter(f"参数 {name}：{e}") from None


def query_month(params: Mapping[str, Any], name: str) -> dt.date | None:
    """A ``YYYY-MM`` month from a query string: None when absent, 400 when malformed or out of range."""
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_month(raw)
    except ValueError as e:
        raise BadParameter(f"参数 {name}：{e}") from None


class IdConverter:
    """``<id:pk>``: digits, out-of-range ones becoming ``NO_ROW`` so the view answers its own 404.

    Registered by ``CoreConfig.ready``, before any URL conf is read."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return parse_id(value) or NO_ROW

    def to_url(self, value: int) -> str:
        return str(value)



class ModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Django's, but an id beyond 64 bits is an invalid choice instead of a database error."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str | int) and not isinstance(value, bool) and parse_id(str(value)) == NO_ROW:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class DateField(forms.DateField):
    """Django's, limited to ``DATE_MIN``..``DATE_MAX``."""

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        if day is not None:
            try:
                in_range(day)
            except ValueError as e:
                raise forms.ValidationError(str(e), code="invalid") from None
        return day


# --------------------------------------------------------------------------- API (ninja / pydantic)

def _month(value: Any) -> Any:
    return parse_month(value) if isinstance(value, str) else value


#: A row id in a path, query or body: out-of-range ids find nothing (404 or an empty list).
ObjectId = Annotated[int, AfterValidator(bound_id), WithJsonSchema({"type": "integer", "minimum": 1})]
#: A date within ``DATE_MIN``..``DATE_MAX``.
Day = Annotated[dt.date, AfterValidator(in_range)]
#: ``YYYY-MM`` within range, as the first day of the month.
Month = Annotated[dt.date, BeforeValidator(_month),
                  WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"})]
