"""The ledger commitment of intake chunks, and the verification that covers the records they created.

A chunk that creates records appends ONE ledger entry (action ``intake.chunk``, entity
``intake.intakechunk:<chunk id>``) whose ``state_digest`` is the root of a Merkle tree. Its leaves,
in record-id order, are ``SHA-256(0x00 ‖ id as 8 bytes ‖ digest)`` where ``digest`` is exactly the
state digest ``ledger.hashing.digest_instance`` gives the record as stored; inner nodes are
``SHA-256(0x01 ‖ left ‖ right)`` and an odd node is carried up unchanged. The chunk row keeps the
ids and digests (``IntakeChunk.digests``), so verification can name the exact record that changed:

1. the chain check (``ledger.verification.verify_chain``) proves every entry, including the chunk's, is intact;
2. the chunk's stored digests must hash to the root its entry committed to (else the chunk row was altered);
3. every record whose newest commitment is a chunk (no per-record entry with a higher sequence number)
   must still have the digest the chunk stored for it (else: “信用记录 #id 的内容与最后一条留痕记录不符”);
4. every chunk entry must still have its chunk row: a deleted one is named (“归集块 #id 已不存在”), and the
   records of its batch that nothing commits to any more are named as one finding of that batch instead
   of one “record inserted” each (they are :data:`ACCOUNTED_FOR`).

:func:`committed_digests` is registered with ``ledger.verification.register_commitments``, so
``govcredit verify-ledger`` and the nightly check do steps 2 and 3 (a per-record entry, always newer
than the chunk that created the record, takes precedence).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from django.db.models import Count

from govcredit.archive.models import CreditRecord
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import ACCOUNTED_FOR, Finding, Report

from .models import ImportBatch, IntakeChunk

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

    Chunks whose stored digests no longer hash to their ledger entry's root, and chunk entries whose chunk
    row is gone, are reported (and skipped). A chunk only ever commits to records it created, so any
    per-record entry of such a record is newer than its chunk: the ledger's “latest digest” of a record is
    the chunk's only when it has no entry.
    """
    out: dict[int, tuple[int, str]] = {}
    chunks = IntakeChunk.objects.exclude(ledger_seq=None).order_by("ledger_seq")
    entries = LedgerEntry.objects.filter(action=CHUNK_ACTION, entity_type=CHUNK_ENTITY)
    if upto is not None:
        chunks = chunks.filter(ledger_seq__lte=upto)
        entries = entries.filter(seq__lte=upto)
    committed_by = {seq: (chunk_id, digest) for seq, chunk_id, digest in
                    entries.values_list("seq", "entity_id", "state_digest")}
    for chunk in chunks.iterator(chunk_size=200):
        blob = bytes(chunk.digests)
        entry = committed_by.pop(chunk.ledger_seq, None) if chunk.ledger_seq is not None else None
        committed = entry[1] if entry and entry[0] == chunk.pk else None
        if committed is None or committed != chunk.merkle_root or merkle_root(blob) != committed:
            if report is not None:
                report.findings.append(Finding(
                    "entry_altered", f"归集块 #{chunk.pk}（批次 #{chunk.batch_id}）保存的记录摘要与留痕记录 #{chunk.ledger_seq} "
                    "的默克尔根不符（被篡改）", seq=chunk.ledger_seq, entity=f"{CHUNK_ENTITY}:{chunk.pk}"))
            continue
        for record_id, digest in unpack(blob):
            out[record_id] = (chunk.pk, digest)
    if report is not None:
        for seq, (chunk_id, _) in sorted(committed_by.items()):
            report.findings.append(Finding(
                "chunk_deleted", f"归集块 #{chunk_id}（留痕记录 #{seq}）已不存在（被删除），它提交的信用记录无从逐条核对",
                seq=seq, entity=f"{CHUNK_ENTITY}:{chunk_id}"))
    return out


def _orphans(report: Report, committed: dict[int, tuple[int, str]]) -> dict[int, str]:
    """Records of batches that lost a chunk row and that no chunk commits to any more: one finding per
    batch (a batch has lost a chunk when it has fewer chunk rows than it counted)."""
    batches = (ImportBatch.objects.annotate(rows=Count("chunks")).filter(chunks_done__gt=0)
               .values_list("pk", "chunks_done", "rows"))
    short = [pk for pk, done, rows in batches if rows < done]
    out: dict[int, str] = {}
    for batch_id in short:
        ids = [pk for pk in CreditRecord._base_manager.filter(batch_id=batch_id).values_list("pk", flat=True)
               if pk not in committed]
        if ids:
            report.findings.append(Finding(
                "chunk_deleted", f"批次 #{batch_id} 中 {len(ids)} 条信用记录（#{ids[0]}–#{ids[-1]}）的留痕承诺随被删除的归集块缺失，"
                "无法逐条核对", entity=f"intake.importbatch:{batch_id}"))
            out.update(dict.fromkeys(ids, ACCOUNTED_FOR))
    return out


def committed_digests(report: Report, upto: int) -> dict[int, str]:
    """The ledger's commitment provider for CreditRecord (registered in ``IntakeConfig.ready``)."""
    committed = chunk_commitments(report, upto)
    out = {pk: digest for pk, (_, digest) in committed.items()}
    if any(f.kind == "chunk_deleted" for f in report.findings):
        out.update(_orphans(report, committed))
    return out
