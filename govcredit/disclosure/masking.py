"""What of a record the public may see, with personal data masked on the server.

Every value the portal shows — HTML or JSON — goes through :func:`scrub`, and every value taken
from a record's free text also through :func:`scrub_names`:

* digit runs of 11 or more characters (Unicode digits, so full-width ones too) are masked whole:
  18-character ones like ID numbers (``3201**********1234``), 11-digit mobiles (``138****5678``),
  anything else (bank accounts, numbers with a country code) down to its last characters — an
  11-digit mobile number must not survive inside a longer run either;
* mobile numbers written with spaces or dashes and landline numbers with an area code are masked;
* the names of the natural persons the record is about (the counterparty if it is a 自然人, the
  legal representative, a civil servant subject) are replaced by their masked form wherever they
  occur in the text.

The structured 统一社会信用代码 is shown as it is: it identifies an organisation, not a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govcredit.subjects.identifiers import mask_id_number, mask_name, mask_phone

# Runs of digits (Unicode \d), an ID number's check character may be X.
_DIGIT = re.compile(r"\d")
_LONG_RUN = re.compile(r"\d{11,}[Xx]?")
_SPLIT_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\s\-－]\d{4}[\s\-－]\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\-－]?\d{7,8}(?!\d)")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    # 15+ characters: ID numbers (first 4 and last 4 of 18 kept) and the like; shorter: phone-style.
    return mask_id_number(run) if len(run) >= 15 else mask_phone(run)


def scrub(text: str) -> str:
    """Mask ID-like digit runs and phone numbers in free text."""
    if not text or not _DIGIT.search(text):  # most names and many texts: nothing to mask
        return text
    text = _LONG_RUN.sub(_mask_run, text)
    text = _SPLIT_MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0)), text)


def scrub_names(text: str, names: Iterable[str]) -> str:
    """Replace each natural person's full name in ``text`` by its masked form (longest names first)."""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        if name in text:
            text = text.replace(name, mask_name(name))
    return text


@dataclass(frozen=True)
class PublicField:
    """One labelled value on a detail page or in the detail JSON."""

    label: str
    value: str


# Fields never shown, whatever the record type: identity documents of persons. (publicity_end is
# shown once, by the portal itself, as 公示截止.)
HIDDEN_KEYS = frozenset({"id_type", "id_number", "legal_rep_id_type", "legal_rep_id_number"})
HIDDEN_COLUMNS = frozenset({"counterparty_id", "legal_rep_id", "publicity_end"})


def display(value: Any) -> str:
    """A stored value as text: lists joined with 、, amounts without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(display(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def public_fields(fields: list[dict[str, Any]], values: dict[str, Any], *, public_name: str,
                  person_names: Iterable[str]) -> list[PublicField]:
    """The labelled public values of a record, in the order of its catalog field schema.

    ``fields`` is the record type version's field schema; ``values`` maps a field's ``column``
    (when it has one) or ``key`` to the stored value; ``public_name`` is the already masked name
    kept on the publication; ``person_names`` are the full names to mask inside free text.
    """
    names = list(person_names)
    out: list[PublicField] = []
    for spec in fields:
        key, column = spec["key"], spec.get("column")
        if key in HIDDEN_KEYS or column in HIDDEN_COLUMNS:
            continue
        text = display(values.get(column or key))
        if column == "counterparty_name":
            text = public_name
        elif column == "legal_representative":
            text = mask_name(text) if text else ""
        elif spec.get("type") != "credit_code":  # a validated GB 32100 code names an organisation: shown as it is
            text = scrub(scrub_names(text, names))
        if text:
            out.append(PublicField(str(spec.get("label") or key), text))
    return out
