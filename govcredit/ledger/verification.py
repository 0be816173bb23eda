"""Verifying the ledger: the chain of entries, every ledgered row against its latest entry, and the
chain against signed checkpoints kept off the database host.

:func:`verify` walks the chain and compares every ledgered row with the state its latest entry
committed to. Appending is in ``services.py``; both build payloads and digests with ``hashing.py``.

Speed: the chain is verified in chunks of :data:`CHUNK` entries: the database builds the payload bytes
and returns a whole chunk as one row (see :data:`_CHUNK_SQL`), sequence, link and hash checks run over
the whole chunk, and only a chunk that fails them is checked again entry by entry, in Python, to say
exactly what is wrong. Two threads fetch chunks ahead while the calling thread hashes (their database
work runs without the GIL).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.apps import apps
from django.db import connection, models

from . import checkpoints
from .hashing import (
    ENTRY_COLUMNS,
    GENESIS,
    digest_state,
    entity_type_of,
    entry_payload,
    keyed_hasher,
    ledger_key,
    state_attnames,
    state_of_stored,
    stored_select,
)
from .models import LedgeredModel, LedgerHead

KIND_LABELS = {
    "entry_altered": "留痕被篡改",
    "entry_deleted": "留痕被删除",
    "entry_inserted": "留痕被插入或改接",
    "record_altered": "记录被篡改",
    "record_inserted": "记录无留痕（被插入）",
    "record_deleted": "记录被删除",
    "chunk_deleted": "归集块被删除",
    "chain_truncated": "链尾被截断（短于检查点）",
    "checkpoint_differs": "与检查点不符（链被改写）",
    "checkpoint_invalid": "检查点无效",
}
_CHECKPOINT_KINDS = {"truncated": "chain_truncated", "differs": "checkpoint_differs", "invalid": "checkpoint_invalid"}


@dataclass
class Finding:
    kind: str  # a key of KIND_LABELS
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

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "records": self.records,
                "findings": [asdict(f) for f in self.findings]}


@dataclass
class ChainState:
    """How far a walk of the chain has got: the last entry seen and its stored hash."""

    seq: int = 0
    entry_hash: str = GENESIS
    altered: bool = False  # the last entry's own hash did not verify


def ledgered_models() -> list[type[LedgeredModel]]:
    return [m for m in apps.get_models() if issubclass(m, LedgeredModel)]


CHUNK = 20_000  # entries per fetch
FETCHERS = 2  # threads fetching chunks while the calling thread hashes
_TABLE = "ledger_ledgerentry"
_EXACT_SQL = f"SELECT {', '.join(ENTRY_COLUMNS)} FROM {_TABLE} WHERE seq > %s AND seq <= %s ORDER BY seq"
# All entries with lo < seq ≤ hi as one row: their count, first and last seq, their payloads exactly as
# entry_payload() builds them (fields joined by U+001F, integers in decimal, a NULL entity_id as ''),
# built by the database and joined by U+001D, and their stored hashes joined by ",". One row per chunk
# keeps per-row work out of Python, and the database does its share while the GIL is released (in
# SQLite's step, or in PostgreSQL's own process). The aggregates take the rows in the subquery's order
# (sorting inside string_agg would cost as much again); were they ever not in order, the chunk would
# fail the whole-chunk check and be checked entry by entry: slower, never wrong.
_CHUNK_SQL = {
    "sqlite": (
        "SELECT count(*), min(seq), max(seq), CAST(group_concat(printf('%%s\x1f%%s\x1f%%s\x1f%%s\x1f%%s\x1f%%s\x1f%%s"
        "\x1f%%s\x1f', seq, ts, actor, action, entity_type, entity_id, reason, state_digest) || CASE WHEN "
        "actor_user_id IS NULL AND changes = '' THEN '' ELSE ifnull(actor_user_id, '') || char(31) || changes "
        "|| char(31) END || prev_hash, char(29)) AS BLOB), CAST(group_concat(entry_hash, ',') AS BLOB) "
        f"FROM (SELECT * FROM {_TABLE} WHERE seq > %s AND seq <= %s ORDER BY seq)"),
    "postgresql": (
        "SELECT count(*), min(seq), max(seq), convert_to(string_agg(seq::text || E'\\x1f' || ts::text || E'\\x1f' "
        "|| actor || E'\\x1f' || action || E'\\x1f' || entity_type || E'\\x1f' || COALESCE(entity_id::text, '') "
        "|| E'\\x1f' || reason || E'\\x1f' || state_digest || E'\\x1f' || CASE WHEN actor_user_id IS NULL AND "
        "changes = '' THEN '' ELSE COALESCE(actor_user_id::text, '') || E'\\x1f' || changes || E'\\x1f' END "
        "|| prev_hash, E'\\x1d'), 'UTF8'), "
        "convert_to(string_agg(entry_hash, ','), 'UTF8') "
        f"FROM (SELECT * FROM {_TABLE} WHERE seq > %s AND seq <= %s ORDER BY seq) AS chunk"),
}


@dataclass
class _Chunk:
    """The entries with lo < seq ≤ hi, fetched for the whole-chunk check."""

    lo: int
    hi: int
    count: int = 0
    first: int = 0
    last: int = 0
    payloads: list[bytes] = field(default_factory=list)
    hashes: list[bytes] = field(default_factory=list)  # as stored (hex), in ASCII


def _query_chunk(sql: str, lo: int, hi: int) -> tuple[Any, ...]:
    if connection.vendor == "postgresql":
        # psycopg's own cursor, to get bytea in binary: no hex text to decode (Django's binds client-side).
        from psycopg import Cursor

        connection.ensure_connection()
        with Cursor(connection.connection) as raw:
            raw.execute(sql, [lo, hi], binary=True)
            row = raw.fetchone()
    else:
        with connection.cursor() as cur:
            cur.execute(sql, [lo, hi])
            row = cur.fetchone()
    assert row is not None  # an aggregate always gives one row
    return tuple(row)


def _fetch_chunk(lo: int, hi: int) -> _Chunk:
    sql = _CHUNK_SQL.get(connection.vendor)
    if sql is None:  # another database: build the payloads here
        with connection.cursor() as cur:
            cur.execute(_EXACT_SQL, [lo, hi])
            rows = cur.fetchall()
        if not rows:
            return _Chunk(lo, hi)
        return _Chunk(lo, hi, len(rows), rows[0][0], rows[-1][0], [_payload_of(r) or b"" for r in rows],
                      [str(r[9]).encode() for r in rows])
    count, first, last, payloads, hashes = _query_chunk(sql, lo, hi)
    if not count:
        return _Chunk(lo, hi)
    return _Chunk(lo, hi, count, first, last, bytes(payloads or b"").split(b"\x1d"), bytes(hashes or b"").split(b","))


def _payload_of(row: Sequence[Any]) -> bytes | None:
    """The exact payload of an entry row (ENTRY_COLUMNS order), or None if a column cannot be part of one."""
    seq, ts, actor, action, etype, eid, reason, sdig, prev_hash, _, uid, changes = row
    if not all(isinstance(v, str) for v in (actor, action, etype, reason, sdig, prev_hash, changes)):
        return None
    if uid is not None and type(uid) is not int:
        return None
    try:
        return entry_payload(seq, ts, actor, action, etype, eid, reason, sdig, prev_hash, uid, changes)
    except (TypeError, ValueError):
        return None


def _chunk_is_clean(chunk: _Chunk, state: ChainState, copy: Callable[[], Any]) -> bool:
    """Whole-chunk checks: contiguous seqs right after the state's, every link, every hash.

    Any doubt (a separator inside a field, an odd column) only sends the chunk to the exact check.
    """
    n, payloads, hashes = chunk.count, chunk.payloads, chunk.hashes
    if chunk.first != state.seq + 1 or chunk.last - chunk.first != n - 1:  # seqs are unique: contiguous
        return False
    if len(payloads) != n or len(hashes) != n or len(hashes[-1]) != 64:
        return False
    # A payload ends with its entry's prev_hash: the links. (They also make every stored hash 64 long.)
    tails = [p[-64:] for p in payloads]
    if tails[0] != state.entry_hash.encode() or tails[1:] != hashes[:-1]:
        return False
    digests: list[bytes] = []
    add = digests.append
    for payload in payloads:
        h = copy()
        h.update(payload)
        add(h.digest())
    return b"".join(digests).hex().encode() == b"".join(hashes)


def _check_exact(rows: list[tuple[Any, ...]], report: Report, state: ChainState, key: bytes) -> None:
    """Entry by entry, with the payload built in Python: say exactly what is wrong."""
    copy = keyed_hasher(key).copy
    for row in rows:
        seq, prev_hash, stored = row[0], row[8], row[9]
        if seq != state.seq + 1:
            missing = f"{state.seq + 1}" if seq == state.seq + 2 else f"{state.seq + 1}–{seq - 1}"
            report.findings.append(Finding("entry_deleted", f"留痕记录 #{missing} 缺失（被删除）", seq=state.seq + 1))
        elif prev_hash != state.entry_hash and not state.altered:
            report.findings.append(Finding(
                "entry_inserted", f"留痕记录 #{seq} 的“前一条哈希”与 #{state.seq} 不符（链被改接、插入或替换）", seq=seq))
        payload = _payload_of(row)
        altered = payload is None
        if payload is not None:
            h = copy()
            h.update(payload)
            altered = h.hexdigest() != stored
        if altered:
            report.findings.append(Finding("entry_altered", f"留痕记录 #{seq} 的内容与其哈希不符（被篡改或伪造）", seq=seq))
        state.seq, state.entry_hash, state.altered = seq, stored, altered


def _ranges(after: int, upto: int) -> list[tuple[int, int]]:
    """(lo, hi] ranges of at most CHUNK seqs covering the entries in (after, upto], skipping empty stretches."""
    ranges = []
    with connection.cursor() as cur:
        while after < upto:
            cur.execute(f"SELECT MIN(seq) FROM {_TABLE} WHERE seq > %s AND seq <= %s", [after, upto])
            first = cur.fetchone()[0]
            if first is None:
                break
            lo = max(after, first - 1)
            hi = min(lo + CHUNK, upto)
            ranges.append((lo, hi))
            after = hi
    return ranges


def _can_thread() -> bool:
    """Whether other threads (with connections of their own) see what this one sees."""
    if connection.in_atomic_block:  # an open transaction's rows are invisible to other connections
        return False
    if connection.vendor == "sqlite":
        return not connection.is_in_memory_db()  # type: ignore[attr-defined]
    return connection.vendor == "postgresql"


def _fetched(ranges: list[tuple[int, int]], fetchers: int) -> Iterator[_Chunk]:
    """The chunks of ``ranges`` in order; with ``fetchers`` > 1, fetched ahead by that many threads."""
    if fetchers < 2 or len(ranges) < 3:
        for lo, hi in ranges:
            yield _fetch_chunk(lo, hi)
        return
    queues: list[queue.Queue[Any]] = [queue.Queue(maxsize=2) for _ in range(fetchers)]
    stop = threading.Event()

    def put(i: int, item: Any) -> None:
        while not stop.is_set():
            try:
                queues[i].put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def fetch(i: int) -> None:
        try:
            for lo, hi in ranges[i::fetchers]:
                if stop.is_set():
                    return
                put(i, _fetch_chunk(lo, hi))
        except BaseException as e:  # noqa: BLE001 - re-raised in the calling thread, in order
            put(i, e)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=fetch, args=(i,), name=f"ledger-verify-{i}", daemon=True)
               for i in range(fetchers)]
    for t in threads:
        t.start()
    try:
        for k in range(len(ranges)):
            item = queues[k % fetchers].get()
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        for t in threads:
            t.join()


def _walk(report: Report, state: ChainState, upto: int, progress: Callable[[int], None] | None,
          key: bytes, fetchers: int) -> int:
    """Verify the entries after ``state`` up to seq ``upto``, advancing ``state``; return how many."""
    copy = keyed_hasher(key).copy
    walked = 0
    for chunk in _fetched(_ranges(state.seq, upto), fetchers if _can_thread() else 1):
        if not chunk.count:
            continue
        if _chunk_is_clean(chunk, state, copy):
            state.seq, state.entry_hash, state.altered = chunk.last, chunk.hashes[-1].decode(), False
        else:
            with connection.cursor() as cur:
                cur.execute(_EXACT_SQL, [chunk.lo, chunk.hi])
                _check_exact(cur.fetchall(), report, state, key)
        report.entries += chunk.count
        walked += chunk.count
        if progress:
            progress(chunk.count)
    return walked


def _max_seq() -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT MAX(seq) FROM {_TABLE}")
        row = cur.fetchone()
    return int(row[0] or 0)


def _check_head(report: Report, state: ChainState) -> None:
    head = LedgerHead.objects.filter(id=1).first()
    if head is None:
        if state.seq:
            report.findings.append(Finding("entry_deleted", "链头记录（ledger_ledgerhead）缺失", seq=None))
    elif head.seq < state.seq:
        report.findings.append(Finding(
            "entry_inserted", f"链尾多出留痕记录 #{head.seq + 1}–{state.seq}（链头只到 #{head.seq}）", seq=head.seq + 1))
    elif head.seq > state.seq:
        report.findings.append(Finding(
            "entry_deleted", f"链尾留痕记录 #{state.seq + 1}–{head.seq} 缺失（链头为 #{head.seq}，实际只到 #{state.seq}）",
            seq=state.seq + 1))
    elif head.entry_hash != state.entry_hash:
        report.findings.append(Finding("entry_altered", f"链头的哈希与留痕记录 #{state.seq} 不符（链头或链尾被改动）",
                                       seq=state.seq))


def _walk_to_tip(report: Report, state: ChainState, progress: Callable[[int], None] | None,
                 fetchers: int) -> None:
    key = ledger_key()
    for _ in range(10):  # entries appended while walking: walk on, so that the head can be compared
        before = state.seq
        _walk(report, state, _max_seq(), progress, key, fetchers)
        head = LedgerHead.objects.filter(id=1).values_list("seq", flat=True).first()
        if head is None or head <= state.seq or state.seq == before:
            return


def verify_chain(report: Report, progress: Callable[[int], None] | None = None,
                 state: ChainState | None = None, *, fetchers: int = FETCHERS) -> ChainState:
    """Check every entry's hash, link and seq after ``state`` (from the start by default), then the chain head.

    Returns how far the chain was verified, to continue from. Chunks are fetched ahead by ``fetchers``
    threads with connections of their own, unless this connection is in a transaction (whose rows
    they could not see); ``fetchers=1`` fetches in the calling thread.
    """
    state = state or ChainState()
    _walk_to_tip(report, state, progress, fetchers)
    _check_head(report, state)
    return state


def _latest_digests(entity_type: str, upto: int, ids: Sequence[int] | None = None) -> dict[int, str]:
    """entity id → state digest of its latest entry with seq ≤ ``upto``."""
    where = "entity_type = %s AND entity_id IS NOT NULL AND seq <= %s"
    params: list[Any] = [entity_type, upto]
    if ids is not None:
        where += f" AND entity_id IN ({', '.join(['%s'] * len(ids))})"
        params += list(ids)
    sql = (f"SELECT e.entity_id, e.state_digest FROM {_TABLE} e JOIN "
           f"(SELECT entity_id, MAX(seq) AS seq FROM {_TABLE} WHERE {where} GROUP BY entity_id) m ON e.seq = m.seq")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return dict(cur.fetchall())


def _row_digests(model: type[LedgeredModel], pks: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
    """(pk, digest of the row's canonical state as stored) for every row of ``model``, or for those of ``pks``.

    Read with plain SQL (:func:`hashing.stored_select`), not the ORM: the digest is of the values the
    database holds, not of what Django makes of them, and a value Django could not read is named, not raised.
    """
    at = state_attnames(model).index(model._meta.pk.attname)
    select = stored_select(model, connection.vendor)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    if pks is None:
        parts: list[tuple[str, list[Any]]] = [(f"{select} ORDER BY {pk_column}", [])]
    else:
        parts = [(f"{select} WHERE {pk_column} IN ({', '.join(['%s'] * len(part))}) ORDER BY {pk_column}", list(part))
                 for part in (pks[i:i + 500] for i in range(0, len(pks), 500))]
    for sql, params in parts:
        with connection.chunked_cursor() as cur:
            cur.execute(sql, params)
            while rows := cur.fetchmany(5000):
                for values in rows:
                    yield values[at], digest_state(state_of_stored(model, values))


CommitmentProvider = Callable[[Report, int], dict[int, str]]
#: What a provider gives as the digest of a row it has already reported (as part of a larger finding):
#: the row is then not reported again on its own.
ACCOUNTED_FOR = "accounted-for"
_commitment_providers: dict[str, list[CommitmentProvider]] = {}


def register_commitments(model: type[LedgeredModel], provider: CommitmentProvider) -> None:
    """Let another app vouch for rows of ``model`` that one of its entries committed to as a group.

    ``provider(report, upto)`` returns ``{pk: state digest}`` for the rows that entries with seq ≤
    ``upto`` committed to (e.g. an intake chunk's Merkle root), adding to ``report`` whatever of its own
    commitments it finds broken. A row's own latest entry, when it has one, takes precedence. A row the
    provider has already named in a finding of its own (say, every record of a deleted chunk) is given
    :data:`ACCOUNTED_FOR`, so that it is not named once more by itself.
    """
    _commitment_providers.setdefault(entity_type_of(model), []).append(provider)


def _provided(report: Report, model: type[LedgeredModel], upto: int) -> dict[int, str]:
    provided: dict[int, str] = {}
    for provider in _commitment_providers.get(entity_type_of(model), ()):
        provided.update(provider(report, upto))
    return provided


def _committed(model: type[LedgeredModel], upto: int, provided: dict[int, str],
               pks: Sequence[int] | None = None) -> dict[int, str]:
    """pk → the state digest that entries up to ``upto`` committed to, for rows of ``model`` (or of ``pks``)."""
    et = entity_type_of(model)
    if pks is None:
        latest = _latest_digests(et, upto)
        extra = provided
    else:
        latest = {}
        for i in range(0, len(pks), 500):
            latest.update(_latest_digests(et, upto, pks[i:i + 500]))
        extra = {pk: provided[pk] for pk in pks if pk in provided}
    for pk, digest in extra.items():
        latest.setdefault(pk, digest)
    return latest


def record_count() -> int:
    """How many rows :func:`verify_records` reads (for a progress bar)."""
    return sum(model._base_manager.count() for model in ledgered_models())


def verify_records(report: Report, chain: ChainState | None = None,
                   progress: Callable[[int], None] | None = None) -> None:
    """Compare every ledgered row with the state its latest entry committed to.

    ``chain`` is how far :func:`verify_chain` got (it is run first without one); only those entries
    count. A row that disagrees may have been changed by a transaction that committed after the
    walk, so the chain is walked on and such rows are read again (a few times) before they are
    reported. ``progress`` is called with the number of rows read, every few thousand.
    """
    chain = chain or verify_chain(report)
    suspects: dict[type[LedgeredModel], set[int]] = {}
    provided: dict[type[LedgeredModel], dict[int, str]] = {}
    for model in ledgered_models():
        et = entity_type_of(model)
        provided[model] = _provided(report, model, chain.seq)
        latest = _committed(model, chain.seq, provided[model])
        bad, read = set(), 0
        for pk, digest in _row_digests(model):
            read += 1
            committed = latest.pop(pk, None)
            if committed != digest and committed != ACCOUNTED_FOR:
                bad.add(pk)
            if progress and read % 5000 == 0:
                progress(5000)
        report.records += read
        if progress and read % 5000:
            progress(read % 5000)
        for eid in sorted(pk for pk, digest in latest.items() if digest != ACCOUNTED_FOR):
            report.findings.append(Finding(
                "record_deleted", f"{_label(model, eid)} 已不存在（被删除），其最后一条留痕仍在", entity=f"{et}:{eid}"))
        if bad:
            suspects[model] = bad
    for _ in range(3):
        if not suspects:
            break
        before = chain.seq
        _walk_to_tip(report, chain, None, 1)
        if chain.seq == before:
            break
        for model, bad in list(suspects.items()):
            provided[model] = _provided(Report(), model, chain.seq)  # its findings are in the report already
            pks = sorted(bad)
            latest = _committed(model, chain.seq, provided[model], pks)
            bad.difference_update(pk for pk, digest in _row_digests(model, pks) if latest.get(pk) == digest)
            if not bad:
                del suspects[model]
    for model, bad in suspects.items():
        et, pks = entity_type_of(model), sorted(bad)
        latest = _committed(model, chain.seq, provided[model], pks)
        for pk in pks:
            if pk in latest:
                report.findings.append(Finding(
                    "record_altered", f"{_label(model, pk)} 的内容与其最后一条留痕记录不符（被篡改）", entity=f"{et}:{pk}"))
            else:
                report.findings.append(Finding(
                    "record_inserted", f"{_label(model, pk)} 没有任何留痕记录（绕过应用插入）", entity=f"{et}:{pk}"))


def verify_checkpoints(report: Report, chain: ChainState, lines: Iterable[str],
                       public_key: Ed25519PublicKey | None = None) -> None:
    """Compare the verified chain with the signed checkpoints of ``lines`` (a checkpoint file kept off the
    database host): a chain shorter than, or different from, any of them is a finding. Signatures are
    checked with ``public_key`` (by default the configured key's)."""
    key = public_key or checkpoints.private_key().public_key()
    good, problems = checkpoints.read(lines, key)
    for problem in [*problems, *checkpoints.check(good, chain.seq)]:
        report.findings.append(Finding(_CHECKPOINT_KINDS[problem.kind], problem.message, seq=problem.seq))


def _label(model: type[models.Model], pk: int) -> str:
    return f"{model._meta.verbose_name}（{model._meta.label}）#{pk}"


def verify(progress: Callable[[int], None] | None = None, checkpoint_lines: Iterable[str] | None = None) -> Report:
    """Verify the whole ledger: the chain, then every ledgered row against its latest entry, and the chain
    against the signed checkpoints of ``checkpoint_lines`` when given."""
    report = Report()
    chain = verify_chain(report, progress)
    verify_records(report, chain)
    if checkpoint_lines is not None:
        verify_checkpoints(report, chain, checkpoint_lines)
    return report
