"""Publishing to and withdrawing from the public portal.

:func:`sync` is the one place that decides: it publishes records that have become disclosable
and withdraws those whose window ended or whose decision was revoked, changed or repaired. It runs
every few minutes from the scheduler (so a revoked penalty leaves the portal well within the
3 days allowed) and is idempotent and safe on several workers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import Disclosure
from govcredit.core import clock
from govcredit.ledger.services import create_with_entries, update_with_entries

from .masking import mask_publication, record_person_names
from .models import Publication, UnpublishReason
from .rules import ENDING_STATUSES, SHOWN_STATUSES, public_name, refusal
from .search import index_publications, unindex_publications

CHUNK = 2000


@dataclass(frozen=True)
class SyncResult:
    published: int
    withdrawn: int


def public_publications() -> QuerySet[Publication]:
    """What the portal may show right now."""
    return Publication.objects.filter(is_public=True, visible_until__gte=clock.today())


def _publication(record: CreditRecord, now: dt.datetime) -> Publication:
    """The publication of ``record``, its public text masked (:func:`.masking.mask_publication`) before it is saved."""
    assert record.publicity_end is not None
    publication = Publication(
        record=record, published_at=now, visible_until=record.publicity_end, public_name=public_name(record),
        credit_code=record.counterparty_code or (record.subject_org.credit_code if record.subject_org else ""),
        decision_number=record.decision_number, authority_name=record.authority_name,
        type_name=record.record_type.name, decision_date=record.decision_date,
    )
    mask_publication(publication, record_person_names(record))
    return publication


def publish_due(today: dt.date | None = None) -> int:
    """Publish every disclosable record that is not on the portal yet."""
    today = today or clock.today()
    total = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                CreditRecord.objects.select_related("type_version", "record_type", "subject_org", "subject_person")
                .filter(pk__gt=last_pk, type_version__disclosure=Disclosure.PUBLIC, status__in=SHOWN_STATUSES,
                        publicity_end__gte=today, publication__isnull=True)
                .order_by("pk")[:CHUNK]
            )
            if not rows:
                return total
            last_pk = rows[-1].pk
            now = clock.now()
            new = [_publication(r, now) for r in rows if refusal(r) is None]
            create_with_entries(Publication, new, actor="system", action="disclosure.publish", reason="依规公示")
            index_publications(new)  # the portal's search index, in the same transaction
            total += len(new)


def _note(reason: UnpublishReason, record: CreditRecord, today: dt.date) -> str:
    if reason == UnpublishReason.REVOKED:
        return f"该决定已于{today:%Y年%m月%d日}撤销、变更或被确认无效，依法撤下公示。"
    if reason == UnpublishReason.REPAIRED:
        return "信用主体已完成信用修复，依法停止公示。"
    return f"公示期已于{record.publicity_end:%Y年%m月%d日}届满。"


def withdraw_due(today: dt.date | None = None) -> int:
    """Withdraw publications whose window ended or whose record left the shown statuses."""
    today = today or clock.today()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                Publication.objects.select_for_update(skip_locked=True).select_related("record")
                .filter(Q(visible_until__lt=today) | Q(record__status__in=list(ENDING_STATUSES)), is_public=True)
                .order_by("pk")[:CHUNK]
            )
            if not due:
                return total
            now = clock.now()
            for pub in due:
                reason = ENDING_STATUSES.get(pub.record.status, UnpublishReason.EXPIRED)
                pub.is_public, pub.unpublished_at, pub.unpublish_reason = False, now, reason
                pub.public_note = _note(reason, pub.record, today)
            update_with_entries(Publication, due, ["is_public", "unpublished_at", "unpublish_reason", "public_note"],
                                actor="system", action="disclosure.unpublish", reason="公示期满或决定撤销、修复")
            unindex_publications(due)
            total += len(due)


def sync(today: dt.date | None = None) -> SyncResult:
    """The scheduled job: withdraw what must go, then publish what is due."""
    withdrawn = withdraw_due(today)
    return SyncResult(published=publish_due(today), withdrawn=withdrawn)
