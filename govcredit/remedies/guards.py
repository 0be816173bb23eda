"""A record under an open objection leaves 异议中 only through the objection's decision.

``archive.services.change_status`` asks :func:`status_guard` (registered from ``apps.py``) on every status
change; the objection services change the record inside :func:`deciding`, every other caller (the credit
office's status form, ``POST /api/records/{id}/status``) is refused while the objection is open, so the
record cannot stop showing 异议中 before the case is decided.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError

from govcredit.archive.models import CreditRecord, RecordStatus

_DECIDING: ContextVar[bool] = ContextVar("remedies_deciding", default=False)


@contextmanager
def deciding() -> Iterator[None]:
    """The objection services' own status changes (filing, the decision) pass the guard."""
    token = _DECIDING.set(True)
    try:
        yield
    finally:
        _DECIDING.reset(token)


def status_guard(record: CreditRecord, status: str) -> None:
    if _DECIDING.get() or record.status != RecordStatus.OBJECTION:
        return
    current = record.objections.filter(case__closed_at__isnull=True).order_by("-pk").first()
    if current is not None:
        raise ValidationError({"status": f"该记录的异议（编号 {current.number}）正在办理：记录状态随异议处理结果变更，"
                                         "请在异议办理页面作出处理"})
