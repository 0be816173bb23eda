"""The ledger commitment of intake chunks, and the verification that covers the records they created.

A chunk that creates records appends ONE ledger entry (action ``intake.chunk``, entity
``intake.intakechunk:<chunk id>``) whose ``state_digest`` is the root of a Merkle tree. Its leaves,
in record-id order, are ``SHA-256(0x00 ‖ id as 8 bytes ‖ digest)`` where ``digest`` is exactly the
state digest ``ledger.hashing.digest_instance`` gives the record as stored; inner nodes are
``SHA-256(0x01 ‖ left ‖ right)`` and an odd node is carried up unchanged. The chunk row keeps the
ids and digests (``IntakeChunk.digests``), so verification can name the exact record that changed:

1. the chain check (``ledger.services.verify_chain``) proves every entry, including the chunk's, is intact;
2. the chunk's stored digests must hash to the root its entry committed to (else the chunk row was altered);
3. every record whose newest commitment is a chunk (no per-record entry with a higher sequence number)
   must still have the digest the chunk stored for it (else: “信用记录 #id 的内容与最后一条留痕记录不符”).

:func:`verify_with_intake` runs the whole ledger verification with steps 2 and 3 merged in. The ledger
app can get the same inside ``verify_records``: for CreditRecord, after
``latest = _latest_digests(et, chain.seq)``, add ``for pk, (_, d) in chunk_commitments(report, chain.seq).items():
latest.setdefault(pk, d)`` (a per-record entry is always newer than the chunk that created the record).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from govcredit.archive.models import CreditRecord
from govcredit.ledger.hashing import digest_state, entity_type_of, state_attnames, state_of_values
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import Finding, Report, verify_chain, verify_records

from .models import IntakeChunk

CHUNK_ENTITY = "intake.intakechunk"
CHUNK_ACTION = "intake.chunk"


def pack(ids: list[int], digests: list[str]) -> bytes:
    return b"".join(i.to_bytes(8, "big") + bytes.fromhex(d) for i, d in zip(ids, digests, strict=True))


def unpack(blob: bytes) -> Iterator[tuple[int, str]]:
    view = memoryview(blob)
    for pos in range(0, len(view), 40):
        yield int.from_bytes(view[pos:pos + 8], "big"), view[pos + 8:pos + 40].hex()


def merkle_root(blob: bytes) -> str:
    sha = hashlib.sha256
    view = memoryview(blob)
    level = [sha(b"\x00" + view[p:p + 40]).digest() for p in range(0, len(view), 40)]
    if not level:
        return sha(b"").hexdigest()
    while len(level) > 1:
        nxt = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def chunk_commitments(report: Report | None = None, upto: int | None = None) -> dict[int, tuple[int, str]]:
    """record id → (chunk id, digest) for every record an intact chunk committed to (entries ≤ ``upto``).

    Chunks whose stored digests no longer hash to their ledger entry's root are reported (and skipped).
    A chunk only ever commits to records it created, so any per-record entry of such a record is newer
    than its chunk: the ledger's “latest digest” of a record is the chunk's only when it has no entry.
    """
    out: dict[int, tuple[int, str]] = {}
    chunks = IntakeChunk.objects.exclude(ledger_seq=None).order_by("ledger_seq")
    if upto is not None:
        chunks = chunks.filter(ledger_seq__lte=upto)
    entries = dict(LedgerEntry.objects.filter(action=CHUNK_ACTION, entity_type=CHUNK_ENTITY)
                   .values_list("seq", "state_digest"))
    for chunk in chunks.iterator(chunk_size=200):
        blob = bytes(chunk.digests)
        committed = entries.get(chunk.ledger_seq) if chunk.ledger_seq is not None else None
        if committed is None or committed != chunk.merkle_root or merkle_root(blob) != committed:
            if report is not None:
                report.findings.append(Finding(
                    "entry_altered", f"归集块 #{chunk.pk}（批次 #{chunk.batch_id}）保存的记录摘要与留痕记录 #{chunk.ledger_seq} "
                    "的默克尔根不符（被篡改）", seq=chunk.ledger_seq, entity=f"{CHUNK_ENTITY}:{chunk.pk}"))
            continue
        for record_id, digest in unpack(blob):
            out[record_id] = (chunk.pk, digest)
    return out


def verify_with_intake(progress: Callable[[int], None] | None = None) -> Report:
    """``ledger.services.verify`` with the records committed by intake chunks checked too.

    The ledger's own pass reports a chunk-committed record as having no entry; here such findings
    are replaced by the check against the chunk's digest, which names the exact altered record.
    """
    report = Report()
    chain = verify_chain(report, progress)
    verify_records(report, chain)
    commitments = chunk_commitments(report, chain.seq)
    if not commitments:
        return report
    et = entity_type_of(CreditRecord)
    with_entries = set(LedgerEntry.objects.filter(entity_type=et, seq__lte=chain.seq)
                       .values_list("entity_id", flat=True).distinct())
    covered = {pk for pk in commitments if pk not in with_entries}
    suspects = set()
    kept = []
    for finding in report.findings:
        if finding.kind == "record_inserted" and finding.entity and finding.entity.startswith(f"{et}:"):
            pk = int(finding.entity.split(":")[1])
            if pk in covered:
                suspects.add(pk)
                continue
        kept.append(finding)
    report.findings = kept
    names = state_attnames(CreditRecord)
    at = names.index("id")
    seen: set[int] = set()
    ordered = sorted(suspects)
    for i in range(0, len(ordered), 2000):
        part = ordered[i:i + 2000]
        for values in CreditRecord._base_manager.filter(pk__in=part).values_list(*names):
            pk = values[at]
            seen.add(pk)
            chunk_id, digest = commitments[pk]
            if digest_state(state_of_values(CreditRecord, values)) != digest:
                report.findings.append(Finding(
                    "record_altered", f"信用记录 #{pk} 的内容与归集块 #{chunk_id} 留痕时的摘要不符（被篡改）",
                    entity=f"{et}:{pk}"))
    existing = set(CreditRecord._base_manager.filter(pk__in=covered).values_list("pk", flat=True)) \
        if len(covered) < 50_000 else set(CreditRecord._base_manager.values_list("pk", flat=True))
    for pk in sorted(covered - existing):
        report.findings.append(Finding("record_deleted", f"信用记录 #{pk} 已不存在（被删除），其归集块 #{commitments[pk][0]} 仍在",
                                       entity=f"{et}:{pk}"))
    return report
