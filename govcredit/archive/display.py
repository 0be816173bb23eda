"""A record's catalog field values as staff see them: natural persons' names and every ID number masked.

The API shows these (keyed by the Chinese label) and the correction page starts from them (keyed by the
field key); either can be sent back as it is, since ``services.unmask_values`` reads a masked value as
"unchanged".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from govcredit.subjects.identifiers import mask_id_number, mask_name

from .models import CounterpartyKind, CreditRecord


def field_values(record: CreditRecord) -> dict[str, Any]:
    """Every catalog field of the record's version by key: dates ISO, amounts as text, masked as above."""
    out: dict[str, Any] = {}
    for spec in record.type_version.fields:
        column = spec.get("column")
        if column in ("counterparty_id", "legal_rep_id"):  # the counterparty's or the legal representative's ID
            value: Any = getattr(record, f"{column}_masked")
        elif column:
            value = getattr(record, column, None)
            if column == "counterparty_name" and record.counterparty_kind == CounterpartyKind.NATURAL:
                value = mask_name(value or "")
        else:
            value = record.data.get(spec["key"])
            if spec.get("type") == "id_number" and value:
                value = mask_id_number(str(value))
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[spec["key"]] = "" if value is None else value
    return out
