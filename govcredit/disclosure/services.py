"""Publishing to and withdrawing from the public portal.

:func:`sync` is the one place that decides: it publishes records that have become disclosable
and withdraws those whose window ended or whose decision was revoked, changed or repaired. It runs
every few minutes from the scheduler (so a revoked penalty leaves the portal well within the
3 days allowed) and is idempotent and safe on several workers: each chunk claims its rows
(``select_for_update(skip_locked=True)`` on PostgreSQL, the write lock SQLite takes at BEGIN), so two
workers never publish the same record. A record the rules refuse is remembered (:class:`Refusal`) and
judged again only when it changes; a record whose stored data make publishing it fail is logged,
reported in the result and left for the next run, and the others are published.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet

from govcredit.archive.display import record_person_names
from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import Disclosure
from govcredit.core import clock
from govcredit.core.jobs import RowFailure, each_row, read_rows
from govcredit.ledger.services import create_with_entries, update_with_entries
from govcredit.workflow.services import open_basis_ids

from .masking import mask_publication
from .models import Publication, Refusal, UnpublishReason
from .rules import ENDING_STATUSES, SHOWN_STATUSES, public_name, refusal
from .search import index_publications, unindex_ids, unindex_publications
from .workflow import WITHDRAWAL, close_updated, close_withdrawn

logger = logging.getLogger("govcredit.disclosure")

CHUNK = 2000
JOB = "公开信息同步"


@dataclass(frozen=True)
class PublishResult:
    published: int
    refused: int = 0  # newly judged not disclosable (remembered until the record changes)
    failed: tuple[RowFailure, ...] = ()  # records whose data made publishing them fail (logged, left for later)


@dataclass(frozen=True)
class SyncResult:
    published: int
    withdrawn: int
    refused: int = 0
    failed: tuple[RowFailure, ...] = ()


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


def due_records(today: dt.date) -> QuerySet[CreditRecord]:
    """Records that should be on the portal and are not, leaving out refusals judged on the record as it is."""
    return CreditRecord.objects.filter(
        type_version__disclosure=Disclosure.PUBLIC, status__in=SHOWN_STATUSES, publicity_end__gte=today,
        publication__isnull=True,
    ).filter(
        Q(publication_refusal__isnull=True)
        | Q(publication_refusal__record_updated_at__lt=F("updated_at"))
        | Q(publication_refusal__record_updated_at__gt=F("updated_at"))
    )


def _claim(candidates: QuerySet[CreditRecord]) -> tuple[list[int], int | None]:
    """Lock the next chunk of due records for this transaction: (ids still unpublished, last id seen).

    On PostgreSQL rows another worker holds are skipped (they are its work); since that worker may have
    committed between this statement's snapshot and the lock, a fresh statement drops records published
    meanwhile. On SQLite the transaction holds the write lock from BEGIN, so nobody else is publishing.
    The last id is None when no row is left.
    """
    if connection.vendor == "postgresql":
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    ids = list(candidates.values_list("pk", flat=True)[:CHUNK])
    if not ids:
        return ids, None
    taken = set(Publication.objects.filter(record_id__in=ids).values_list("record_id", flat=True))
    return [pk for pk in ids if pk not in taken], ids[-1]


def _publish_chunk(ids: list[int], moment: Callable[[CreditRecord], dt.datetime],
                   failures: list[RowFailure]) -> tuple[list[Publication], int]:
    """Judge and publish the records ``ids`` (claimed by the caller's transaction), each at ``moment(record)``.

    Returns the new publications and how many records the rules refused (remembered as :class:`Refusal`).
    """
    rows_of = CreditRecord.objects.select_related("type_version", "record_type", "subject_org", "subject_person")
    now = clock.now()

    def judge(record: CreditRecord) -> tuple[CreditRecord, str | None, Publication | None]:
        why = refusal(record)
        return record, why, None if why else _publication(record, moment(record))

    judged = each_row(JOB, read_rows(JOB, rows_of, ids, failures), judge, failures)
    new = [pub for _, _, pub in judged if pub is not None]
    refusals = [Refusal(record_id=r.pk, record_updated_at=r.updated_at, reason=why[:200], checked_at=now)
                for r, why, _ in judged if why]
    Refusal.objects.bulk_create(refusals, update_conflicts=True, unique_fields=["record"],
                                update_fields=["record_updated_at", "reason", "checked_at"])
    create_with_entries(Publication, new, actor="system", action="disclosure.publish", reason="依规公示")
    Refusal.objects.filter(record_id__in=[p.record_id for p in new]).delete()  # refused before a change
    index_publications(new)  # the portal's search index, in the same transaction
    return new, len(refusals)


def _report(failures: list[RowFailure]) -> None:
    if failures:
        logger.error("%s：%d 条记录无法发布，已跳过（其余照常发布）：%s", JOB, len(failures),
                     "、".join(str(f.pk) for f in failures[:50]))


def _at(moment: dt.datetime) -> Callable[[CreditRecord], dt.datetime]:
    return lambda record: moment


def publish_due(today: dt.date | None = None) -> PublishResult:
    """Publish every disclosable record that is not on the portal yet (one transaction per chunk)."""
    today = today or clock.today()
    published = refused = 0
    failures: list[RowFailure] = []
    last_pk = 0
    while True:
        with transaction.atomic():
            ids, last_seen = _claim(due_records(today).filter(pk__gt=last_pk).order_by("pk"))
            if last_seen is None:
                break
            last_pk = last_seen
            new, n_refused = _publish_chunk(ids, _at(clock.now()), failures)
            published += len(new)
            refused += n_refused
    _report(failures)
    return PublishResult(published, refused, tuple(failures))


def publish_as_of(moments: Mapping[int, dt.datetime]) -> PublishResult:
    """Publish records at the past moments their departments published them (record id → moment).

    For records whose publication happened before this portal kept it: decisions taken over from the
    portal this one replaces, and the demo city's history (``govcredit demo-data``), so that the 双公示
    statistics count the working days each decision really waited. Each record is judged by the same
    rules as :func:`publish_due` as of its moment: it must be disclosable, shown, not published yet and
    inside its publicity window on that day; a moment may not lie in the future. Publications are made in
    the order of their moments (the portal lists the newest first by id). Records not due are skipped.
    """
    now = clock.now()
    if any(moment > now for moment in moments.values()):
        raise ValueError("公开时间不能晚于当前时间")
    ordered = sorted(moments, key=lambda pk: (moments[pk], pk))
    published = refused = 0
    failures: list[RowFailure] = []
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        with transaction.atomic():
            candidates = CreditRecord.objects.filter(
                pk__in=chunk, type_version__disclosure=Disclosure.PUBLIC, status__in=SHOWN_STATUSES,
                publication__isnull=True)
            if connection.vendor == "postgresql":
                candidates = candidates.select_for_update(skip_locked=True, of=("self",))
            window = dict(candidates.values_list("pk", "publicity_end"))
            ids = [pk for pk in chunk if (end := window.get(pk)) is not None and end >= clock.local_date(moments[pk])]
            new, n_refused = _publish_chunk(ids, lambda record: moments[record.pk], failures)
            published += len(new)
            refused += n_refused
    _report(failures)
    return PublishResult(published, refused, tuple(failures))


def _note(reason: UnpublishReason, record: CreditRecord, today: dt.date) -> str:
    if reason == UnpublishReason.REVOKED:
        return f"该决定已于{today:%Y年%m月%d日}撤销、变更或被确认无效，依法撤下公示。"
    if reason == UnpublishReason.REPAIRED:
        return "信用主体已完成信用修复，依法停止公示。"
    return f"公示期已于{record.publicity_end:%Y年%m月%d日}届满。"


_OWN_FIELDS = [f.name for f in Publication._meta.concrete_fields]
_RECORD_FIELDS = ["record__status", "record__publicity_end"]  # what _note and the reason read


def withdraw_due(today: dt.date | None = None) -> int:
    """Withdraw publications whose window ended or whose record left the shown statuses."""
    today = today or clock.today()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                Publication.objects.select_for_update(skip_locked=True).select_related("record")
                .only(*_OWN_FIELDS, *_RECORD_FIELDS)  # a record column the job does not need cannot stop it
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
            close_withdrawn([pub.record for pub in due])  # the 3-working-day withdrawal cases they answer
            total += len(due)


# What a publication keeps of its record when published (the detail page reads the rest live).
SNAPSHOT = ("visible_until", "public_name", "credit_code", "decision_number", "authority_name", "type_name",
            "decision_date")


def _republished(record: CreditRecord, published_at: dt.datetime) -> Publication:
    """The publication the record would get now (built on a copy: a new publication of the record itself
    would replace the record's cached ``publication``)."""
    return _publication(copy.copy(record), published_at)


def stale(publication: Publication, record: CreditRecord) -> bool:
    """Does the portal list the record otherwise than publishing it now would (after a correction)?"""
    fresh = _republished(record, publication.published_at)
    return any(getattr(fresh, f) != getattr(publication, f) for f in SNAPSHOT)


def refresh_corrected() -> int:
    """Bring the public publications of corrected records (those with an open withdrawal case) up to date.

    Claimed like the other chunks of the job; each publication gets a ledger entry and is re-indexed,
    and its case is closed in the same transaction. A window the correction shortened into the past is
    withdrawn by the next :func:`withdraw_due`.
    """
    total = 0
    rows = Publication.objects.select_related("record", "record__record_type", "record__subject_org",
                                              "record__subject_person")
    while True:
        with transaction.atomic():
            due = rows.filter(is_public=True, record__status__in=SHOWN_STATUSES,
                              record_id__in=open_basis_ids(WITHDRAWAL.code, CreditRecord))
            if connection.vendor == "postgresql":
                due = due.select_for_update(skip_locked=True, of=("self",))
            pubs = list(due.order_by("pk")[:CHUNK])
            if not pubs:
                return total
            for pub in pubs:
                fresh = _republished(pub.record, pub.published_at)
                for f in SNAPSHOT:
                    setattr(pub, f, getattr(fresh, f))
            update_with_entries(Publication, pubs, list(SNAPSHOT), actor="system", action="disclosure.refresh",
                                reason="公示信息随更正后的决定更新")
            unindex_ids([p.pk for p in pubs])
            index_publications(pubs)
            close_updated([p.record for p in pubs])
            total += len(pubs)


def sync(today: dt.date | None = None) -> SyncResult:
    """The scheduled job: withdraw what must go, bring corrected publications up to date, publish what is due."""
    withdrawn = withdraw_due(today)
    refresh_corrected()
    result = publish_due(today)
    return SyncResult(published=result.published, withdrawn=withdrawn, refused=result.refused, failed=result.failed)
