"""The shared query service for other departments (共享查询).

A department calls the API with an ordinary API token (``accounts.ApiToken``) issued to one of its users; the
user's role decides what the catalog lets it see:

* the credit office (信用管理部门): records of every disclosure level, 公开, 共享 and 内部;
* data submitters, personnel offices and district governments: 公开 and 共享 records, never 内部 ones;
* other roles: nothing (403).

Within those levels a caller sees only the records of its own scope, exactly as through ``GET /api/records/<id>``
(:func:`govcredit.archive.selectors.visible_records`): a district user cannot find another district's civil
servant by name here either.

Every call is written to :class:`~govcredit.exchange.models.SharedQueryLog` (who, when, purpose, conditions,
result count). Personal identifiers are always masked: natural persons' names, every ID number, and ID and
phone numbers and the persons' names inside the decision number, the authority and the result (``mask_text``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from govcredit.archive.models import CreditRecord

from .models import SharedQueryLog
from .selectors import shared_records


@dataclass(frozen=True)
class Conditions:
    credit_code: str = ""
    name: str = ""
    decision_number: str = ""
    type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def selective(self) -> bool:
        """At least one condition that names a subject or a decision (no browsing the whole archive)."""
        return bool(self.credit_code or self.name or self.decision_number)

    def as_params(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items() if v}


def search(user: Any, cond: Conditions) -> QuerySet[CreditRecord]:
    """Records matching ``cond`` within the levels the user may see, newest decision first."""
    qs = shared_records(user)
    if cond.credit_code:
        code = cond.credit_code.strip().upper()
        qs = qs.filter(Q(counterparty_code=code) | Q(subject_org__credit_code=code))
    if cond.name:
        name = cond.name.strip()
        qs = qs.filter(Q(counterparty_name=name) | Q(subject_org__name=name) | Q(subject_person__name=name))
    if cond.decision_number:
        qs = qs.filter(decision_number=cond.decision_number.strip())
    if cond.type:
        qs = qs.filter(record_type__code=cond.type)
    if cond.date_from:
        qs = qs.filter(decision_date__gte=cond.date_from)
    if cond.date_to:
        qs = qs.filter(decision_date__lte=cond.date_to)
    return qs.defer("counterparty_id_cipher", "subject_person__id_cipher").order_by("-decision_date", "-id")


def log_query(user: Any, *, purpose: str, params: dict[str, Any], result_count: int, auth_method: str,
              client_ip: str | None) -> SharedQueryLog:
    return SharedQueryLog.objects.create(
        user=user, organization_id=getattr(user, "organization_id", None), role=str(getattr(user, "role", "")),
        auth_method=auth_method, purpose=purpose[:200], params=params, result_count=result_count,
        client_ip=client_ip or None)
