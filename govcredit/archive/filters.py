"""The filters of the record list, written once: the page (``/archive/records/``) and the API
(``GET /api/records``) pass what they parsed, so a condition means the same in both."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import CreditRecord


def filter_records(records: QuerySet[CreditRecord], *, q: str = "", record_type: str = "", status: str = "",
                   subject_org: int | None = None, subject_person: int | None = None,
                   issuing_org: int | None = None, decided_from: dt.date | None = None,
                   decided_to: dt.date | None = None) -> QuerySet[CreditRecord]:
    """``q``: part of the decision number or of the counterparty's name (letters in any case);
    ``record_type``: a type's code; the ids and dates exactly."""
    q = q.strip()
    if q:
        records = records.filter(Q(decision_number__icontains=q) | Q(counterparty_name__icontains=q))
    if record_type:
        records = records.filter(record_type__code=record_type)
    if status:
        records = records.filter(status=status)
    if subject_org is not None:
        records = records.filter(subject_org_id=subject_org)
    if subject_person is not None:
        records = records.filter(subject_person_id=subject_person)
    if issuing_org is not None:
        records = records.filter(issuing_org_id=issuing_org)
    if decided_from:
        records = records.filter(decision_date__gte=decided_from)
    if decided_to:
        records = records.filter(decision_date__lte=decided_to)
    return records
