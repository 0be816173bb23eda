"""Appending to and verifying the ledger.

Every change of a ledgered model goes through :func:`save_with_entry` (one row) or
:func:`create_with_entries` (many rows), which write the row and its ledger entry in one
transaction. :func:`verify` walks the chain and compares every ledgered row with the state its
latest entry committed to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from .hashing import (
    digest_instance,
    digest_state,
    entity_type_of,
    entry_hash,
    entry_payload,
    ledger_key,
    micros,
    state_of,
)
from .models import LedgeredModel, LedgerEntry, LedgerHead, ledger_writing

GENESIS = "0" * 64


@dataclass(frozen=True)
class Change:
    """One ledger entry to append: who did what to which row, and why."""

    actor: str
    action: str
    entity_type: str
    entity_id: int | None
    state_digest: str
    reason: str = ""


def _lock_head() -> LedgerHead:
    head, _ = LedgerHead.objects.select_for_update().get_or_create(id=1)
    return head


def append(changes: Sequence[Change]) -> list[LedgerEntry]:
    """Append entries at the chain's tip; the caller must be inside a transaction."""
    if not changes:
        return []
    head = _lock_head()
    now = timezone.now()
    ts = micros(now)
    key = ledger_key()
    seq, prev = head.seq, head.entry_hash
    entries = []
    for c in changes:
        seq += 1
        h = entry_hash(entry_payload(seq, ts, c.actor, c.action, c.entity_type, c.entity_id, c.reason,
                                     c.state_digest, prev), key)
        entries.append(LedgerEntry(seq=seq, ts=ts, actor=c.actor, action=c.action,
                                   entity_type=c.entity_type, entity_id=c.entity_id, reason=c.reason,
                                   state_digest=c.state_digest, prev_hash=prev, entry_hash=h))
        prev = h
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    head.seq, head.entry_hash = seq, prev
    head.save(update_fields=["seq", "entry_hash"])
    return entries


def save_with_entry(instance: LedgeredModel, *, actor: str, action: str, reason: str = "") -> LedgerEntry:
    """Save one ledgered row and append the entry for its new state, atomically."""
    with transaction.atomic(), ledger_writing():
        instance.save()
        change = Change(actor, action, entity_type_of(type(instance)), instance.pk, digest_instance(instance), reason)
        return append([change])[0]


def create_with_entries(
    model: type[LedgeredModel], objs: list[Any], *, actor: str, action: str, reason: str = "",
    batch_size: int = 2000,
) -> list[Any]:
    """Bulk-create ledgered rows with one entry each (ids come back on SQLite and PostgreSQL)."""
    with transaction.atomic(), ledger_writing():
        created = model.objects.bulk_create(objs, batch_size=batch_size)
        et = entity_type_of(model)
        append([Change(actor, action, et, o.pk, digest_instance(o), reason) for o in created])
    return created


def update_with_entries(
    model: type[LedgeredModel], objs: list[Any], fields: list[str], *, actor: str, action: str, reason: str = "",
) -> None:
    """Bulk-update ledgered rows with one entry each."""
    with transaction.atomic(), ledger_writing():
        model.objects.bulk_update(objs, fields, batch_size=1000)
        et = entity_type_of(model)
        append([Change(actor, action, et, o.pk, digest_instance(o), reason) for o in objs])


def history(instance: models.Model) -> models.QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(entity_type=entity_type_of(type(instance)), entity_id=instance.pk)


# --- verification ---------------------------------------------------------------------------

@dataclass
class Finding:
    kind: str  # entry_altered, entry_deleted, entry_inserted, record_altered, record_inserted, record_deleted
    message: str
    seq: int | None = None
    entity: str | None = None


@dataclass
class Report:
    entries: int = 0
    records: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def ledgered_models() -> list[type[LedgeredModel]]:
    return [m for m in apps.get_models() if issubclass(m, LedgeredModel)]


def _iter_entries(chunk: int = 20000) -> Iterable[tuple[Any, ...]]:
    with connection.cursor() as cur:
        last = 0
        while True:
            cur.execute(
                "SELECT seq, ts, actor, action, entity_type, entity_id, reason, state_digest, "
                "prev_hash, entry_hash FROM ledger_ledgerentry WHERE seq > %s ORDER BY seq LIMIT %s",
                [last, chunk],
            )
            rows = cur.fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]


def verify_chain(report: Report, progress: Callable[[int], None] | None = None) -> dict[tuple[str, int], str]:
    """Check every entry's hash and link; return the latest committed digest per entity."""
    key = ledger_key()
    latest: dict[tuple[str, int], str] = {}
    expected_seq, prev = 1, GENESIS
    for seq, ts, actor, action, etype, eid, reason, sdig, prev_hash, ehash in _iter_entries():
        report.entries += 1
        if seq != expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
            report.findings.append(Finding("entry_deleted", f"留痕记录 #{missing} 缺失（被删除）", seq=expected_seq))
        elif prev_hash != prev:
            report.findings.append(Finding("entry_inserted", f"留痕记录 #{seq} 的前一条哈希与链不符（链被改接或插入）", seq=seq))
        if entry_hash(entry_payload(seq, ts, actor, action, etype, eid, reason, sdig, prev_hash), key) != ehash:
            report.findings.append(Finding("entry_altered", f"留痕记录 #{seq} 的内容与其哈希不符（被篡改或伪造）", seq=seq))
        if eid is not None:
            latest[(etype, eid)] = sdig
        expected_seq, prev = seq + 1, ehash
        if progress and report.entries % 10000 == 0:
            progress(10000)
    head = LedgerHead.objects.filter(id=1).first()
    if head and head.seq != expected_seq - 1:
        report.findings.append(Finding("entry_deleted", f"链尾留痕记录缺失：账本应有 {head.seq} 条，实有 {expected_seq - 1} 条", seq=expected_seq))
    return latest


def verify_records(report: Report, latest: dict[tuple[str, int], str]) -> None:
    """Compare every ledgered row with the state its latest entry committed to."""
    for model in ledgered_models():
        et = entity_type_of(model)
        seen: set[int] = set()
        for obj in model.objects.order_by("pk").iterator(chunk_size=5000):
            report.records += 1
            seen.add(obj.pk)
            committed = latest.get((et, obj.pk))
            label = f"{model._meta.verbose_name} #{obj.pk}"
            if committed is None:
                report.findings.append(Finding("record_inserted", f"{label} 没有留痕记录（绕过应用插入）", entity=f"{et}:{obj.pk}"))
            elif digest_state(state_of(obj)) != committed:
                report.findings.append(Finding("record_altered", f"{label} 的内容与最后一条留痕记录不符（被篡改）", entity=f"{et}:{obj.pk}"))
        for (etype, eid) in latest:
            if etype == et and eid not in seen:
                report.findings.append(Finding("record_deleted", f"{model._meta.verbose_name} #{eid} 已不存在（被删除）", entity=f"{et}:{eid}"))


def verify(progress: Callable[[int], None] | None = None) -> Report:
    report = Report()
    latest = verify_chain(report, progress)
    verify_records(report, latest)
    return report
