"""A record as staff see it.

* :func:`field_values`: its catalog field values, natural persons' names and every ID number masked. The
  API shows these (keyed by the Chinese label) and the correction page starts from them (keyed by the field
  key); either can be sent back as it is, since ``services.unmask_values`` reads a masked value as
  "unchanged".
* :func:`shown_text`: its free text (facts, legal basis, result) as a reader may see it (:class:`Reader`): as
  written for those who may correct the record, the credit office and the person it is about, else through
  the one masking function (``subjects.identifiers.mask_text``) with the names of the natural persons the
  record is about (:func:`person_names`, the same names the public portal masks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from govcredit.accounts import access
from govcredit.accounts.models import Role
from govcredit.subjects.identifiers import mask_id_number, mask_name, mask_text

from .models import CounterpartyKind, CreditRecord

#: A record's free-text columns, which may name people and carry their numbers.
FREE_TEXT_COLUMNS = ("facts", "legal_basis", "result")


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


def person_names(values: Mapping[str, Any], subject_person_name: str | None) -> list[str]:
    """Full names of the natural persons a record is about, to be masked wherever they occur in its text: the
    legal representative, the counterparty if it is a 自然人, a civil servant subject.

    ``values`` maps record columns (``legal_representative``, ``counterparty_kind``, ``counterparty_name``)
    to their values.
    """
    names = [values.get("legal_representative") or ""]
    if values.get("counterparty_kind") == CounterpartyKind.NATURAL:
        names.append(values.get("counterparty_name") or "")
    if subject_person_name:
        names.append(subject_person_name)
    return [n for n in names if n]


def record_person_names(record: CreditRecord) -> list[str]:
    """:func:`person_names` of a record object."""
    values = {"legal_representative": record.legal_representative, "counterparty_kind": record.counterparty_kind,
              "counterparty_name": record.counterparty_name}
    return person_names(values, record.subject_person.name if record.subject_person is not None else None)


class Reader:
    """How one user reads records' free text (:data:`FREE_TEXT_COLUMNS`): as written for the organisations that
    may correct a record (its issuing organisation and those above it), for the credit office and for the
    civil servant the record is about; masked for every other reader. Decides once per issuing organisation,
    so a page of records costs a query per organisation at most."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.everything = access.role_of(user) == Role.CREDIT_OFFICE
        self._writes: dict[int, bool] = {}

    def as_written(self, record: CreditRecord) -> bool:
        if self.everything or (record.subject_person_id is not None
                               and record.subject_person_id == getattr(self.user, "civil_servant_id", None)):
            return True
        org = record.issuing_org_id
        if org not in self._writes:
            self._writes[org] = access.can_write_records_for(self.user, record.issuing_org)
        return self._writes[org]

    def text(self, record: CreditRecord) -> dict[str, str]:
        """The record's free-text columns as this user may see them."""
        written = {column: getattr(record, column) or "" for column in FREE_TEXT_COLUMNS}
        if self.as_written(record):
            return written
        names = record_person_names(record)
        return {column: mask_text(text, names) for column, text in written.items()}


def shown_text(record: CreditRecord, user: Any) -> dict[str, str]:
    """The record's free-text columns as ``user`` may see them (:class:`Reader`)."""
    return Reader(user).text(record)


def shown_fields(record: CreditRecord, text: dict[str, str]) -> dict[str, Any]:
    """:func:`field_values` with the catalog fields stored in the free-text columns as ``text`` (the record's
    :func:`shown_text` for the reader) gives them."""
    values = field_values(record)
    for spec in record.type_version.fields:
        if spec.get("column") in text:
            values[spec["key"]] = text[spec["column"]]
    return values
