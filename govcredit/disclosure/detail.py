"""One disclosed record as the public sees it, shared by the detail page and the detail JSON.

Read with one statement (the publication, the record's columns a catalog schema may show, the
schema itself and a civil-servant subject's name), with the record's status live. The archive's
encrypted and indexed ID-number columns are never selected.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from govcredit.archive.display import person_names
from govcredit.archive.models import CreditRecord
from govcredit.core import clock

from .masking import PublicField, display, public_fields
from .models import Publication
from .rules import SHOWN_STATUSES

# Record columns a catalog field schema may point at (``column``), besides the ID number.
RECORD_COLUMNS = ("counterparty_name", "counterparty_kind", "counterparty_code", "legal_representative",
                  "decision_number", "decision_date", "authority_name", "facts", "legal_basis", "result", "amount",
                  "severity", "publicity_end")
_DATES = {"decision_date", "publicity_end"}


@cache
def _detail_sql() -> str:
    """The detail statement, built once: the ORM would compile the same four-table join on every request."""
    from govcredit.catalog.models import RecordTypeVersion
    from govcredit.subjects.models import CivilServant

    pub, rec = Publication._meta.db_table, CreditRecord._meta.db_table
    ver, person = RecordTypeVersion._meta.db_table, CivilServant._meta.db_table
    columns = ", ".join(f"r.{c}" for c in RECORD_COLUMNS)
    return (f"SELECT p.id, p.public_name, p.credit_code, p.decision_number, p.authority_name, p.type_name, "
            f"p.decision_date, p.published_at, p.visible_until, r.status, r.data, v.fields, s.name, {columns} "
            f"FROM {pub} p JOIN {rec} r ON r.id = p.record_id JOIN {ver} v ON v.id = r.type_version_id "
            f"LEFT JOIN {person} s ON s.id = r.subject_person_id "
            f"WHERE p.id = %s AND p.is_public = %s AND p.visible_until >= %s")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _day(value: Any) -> Any:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _moment(value: Any) -> dt.datetime:
    """An aware datetime; SQLite hands back naive UTC (as text or a datetime)."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    assert isinstance(moment, dt.datetime)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


@dataclass(frozen=True)
class PublicDetail:
    id: int
    name: str
    credit_code: str
    decision_number: str
    authority: str
    type_name: str
    decision_date: dt.date
    published_on: dt.date
    visible_until: dt.date
    status: str
    fields: list[PublicField]

    @property
    def objection(self) -> bool:
        return self.status == "异议中"

    @property
    def publicity(self) -> list[PublicField]:
        return [PublicField("公开日期", display(self.published_on)), PublicField("公示截止", display(self.visible_until))]


def public_detail(pk: int, today: dt.date | None = None, using: str = "default") -> PublicDetail | None:
    """The record behind publication ``pk`` if the portal may show it now; None when withdrawn, expired or revoked."""
    today = today or clock.today()
    with connections[using].cursor() as cur:
        cur.execute(_detail_sql(), [pk, True, today])
        row = cur.fetchone()
    if row is None:
        return None
    pub = dict(zip(("id", "public_name", "credit_code", "decision_number", "authority_name", "type_name",
                    "decision_date", "published_at", "visible_until"), row[:9], strict=True))
    status, data, schema, person = row[9:13]
    if status not in SHOWN_STATUSES:
        return None  # left the shown statuses since the last sync: withdrawn within minutes
    values: dict[str, Any] = dict(_json(data) or {})
    values.update(zip(RECORD_COLUMNS, row[13:], strict=True))
    for column in _DATES:
        values[column] = _day(values.get(column))
    if values.get("amount") is not None and not isinstance(values["amount"], Decimal):
        values["amount"] = Decimal(str(values["amount"]))
    name = pub["public_name"]  # masked when published, as are the number and the authority
    spec: list[dict[str, Any]] = list(_json(schema) or [])
    fields = public_fields(spec, values, public_name=name, person_names=person_names(values, person))
    if not any(s.get("column") == "counterparty_name" for s in spec):
        # records about a government subject: the schema has no counterparty, the subject leads
        lead = [PublicField("信用主体", name)]
        if pub["credit_code"]:
            lead.append(PublicField("统一社会信用代码", pub["credit_code"]))
        fields = lead + fields
    return PublicDetail(
        id=pub["id"], name=name, credit_code=pub["credit_code"], decision_number=pub["decision_number"],
        authority=pub["authority_name"], type_name=pub["type_name"], decision_date=_day(pub["decision_date"]),
        published_on=clock.local_date(_moment(pub["published_at"])), visible_until=_day(pub["visible_until"]),
        status=status,
        fields=fields,
    )
