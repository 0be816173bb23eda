"""The rules of the obligations register: registering, changing, fulfilling and cancelling obligations, the
daily job that marks them due soon and overdue and creates breach candidates, and the credit office's
decision on a candidate.

Every function is one transaction with its ledger entries. A breach is never a record by itself:
:func:`mark_obligations` only creates a :class:`~.models.BreachCandidate`; :func:`confirm_candidate` (a
person of the credit office) enters the record through ``archive.services.record_decision``, whose
``post_save`` lets the sanctions rules start the record's measures as for any other record.

The daily job is set-based: each step selects a chunk of ids through an index, changes them with one
``UPDATE`` and appends one ledger entry per row (computed from the row as read, without loading model
instances), so a million obligations cost a scan of the few that change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import Role, User
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType, SubjectKind
from govcredit.core import clock
from govcredit.core.errors import Conflict, DomainError
from govcredit.core.jobs import collector_paused
from govcredit.ledger.hashing import digest_state, entity_type_of, state_attnames, state_of_values
from govcredit.ledger.models import ledger_writing
from govcredit.ledger.services import (
    Actor,
    Change,
    ValueChanges,
    actor_of,
    append_changes,
    head_lock_sql,
    save_with_entry,
)
from govcredit.subjects.models import CivilServant, Organization, PostAssignment

from .kinds import get_kind, kind_label
from .models import BreachCandidate, CandidateStatus, Obligation, ObligationStatus

SYSTEM = "system"
CHUNK = 5000  # rows per condition and transaction of the daily job


class ObligationError(DomainError):
    """An obligation or candidate act the rules refuse."""


# --- who is responsible ---------------------------------------------------------------------------

def responsible_on(org: Organization, post: str, day: dt.date) -> CivilServant | None:
    """The holder of ``post`` at ``org`` on ``day``, from the post history (even after they moved on)."""
    if not post:
        return None
    held = (PostAssignment.objects.filter(employer=org, post=post, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day)).select_related("person")
            .order_by("-start_date", "-pk").first())
    return held.person if held is not None else None


def responsible_for(obligation: Obligation, day: dt.date | None = None) -> CivilServant | None:
    """The person responsible for an obligation: the one named, else the post's holder on the due date."""
    if obligation.responsible_person_id:
        return obligation.responsible_person
    return responsible_on(obligation.debtor_org, obligation.responsible_post, day or obligation.due_on)


# --- registering and changing obligations ----------------------------------------------------------

def status_on(obligation: Obligation, today: dt.date) -> str:
    """The status an owed obligation has on ``today`` by its due date (what the daily job would give it)."""
    soon = get_kind(obligation.kind).due_soon_days
    if obligation.due_on < today:
        return ObligationStatus.OVERDUE.value
    if obligation.due_on <= today + dt.timedelta(days=soon):
        return ObligationStatus.DUE_SOON.value
    return ObligationStatus.OPEN.value


def _soon_on(kind: str, due_on: dt.date) -> dt.date:
    return due_on - dt.timedelta(days=get_kind(kind).due_soon_days)


def _breach_on(due_on: dt.date, grace_days: int) -> dt.date:
    return due_on + dt.timedelta(days=grace_days + 1)


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise ObligationError(_("请填写理由"), field="reason")


@transaction.atomic
def register_obligation(kind: str, *, reference: str, title: str, debtor_org: Organization, due_on: dt.date,
                        creditor_name: str, actor: Actor, reason: str = "", creditor_code: str = "",
                        creditor_is_person: bool = False, creditor_is_sme: bool = False,
                        amount: Decimal | None = None, responsible_person: CivilServant | None = None,
                        responsible_post: str = "", grace_days: int | None = None,
                        basis: models.Model | None = None, basis_text: str = "",
                        record_type: str = "") -> Obligation:
    """Register what ``debtor_org`` owes ``creditor_name`` by ``due_on`` (a ledger entry).

    ``kind`` is a code of the kind registry (``kinds.py``); ``basis`` the row the obligation comes from
    (a contract's milestone, a PPP duty, a promise), ``basis_text`` its legal basis or clause. The grace
    period defaults to the kind's, the record type a breach becomes to the kind's (``tqzk`` for an SME
    creditor of a procurement payment). A reference already registered is refused (409).
    """
    spec = get_kind(kind)
    if Obligation.objects.filter(reference=reference).exists():
        raise Conflict(_("编号 %(ref)s 已登记") % {"ref": reference}, field="reference")
    if amount is not None and amount < 0:
        raise ObligationError(_("金额不能为负数"), field="amount")
    grace = spec.grace_days if grace_days is None else grace_days
    if grace < 0:
        raise ObligationError(_("宽限期不能为负数"), field="grace_days")
    today, now = clock.today(), clock.now()
    ob = Obligation(kind=kind, reference=reference, title=title, debtor_org=debtor_org,
                    responsible_person=responsible_person, responsible_post=responsible_post,
                    creditor_name=creditor_name, creditor_code=creditor_code, creditor_is_person=creditor_is_person,
                    creditor_is_sme=creditor_is_sme, amount=amount, due_on=due_on, grace_days=grace,
                    breach_on=_breach_on(due_on, grace), soon_on=_soon_on(kind, due_on), record_type=record_type or spec.record_type_for(creditor_is_sme),
                    basis_text=basis_text, opened_on=today, created_at=now, updated_at=now,
                    basis_type=ContentType.objects.get_for_model(basis) if basis is not None else None,
                    basis_id=basis.pk if basis is not None else None)
    ob.status = status_on(ob, today)
    if ob.status == ObligationStatus.OVERDUE:
        ob.overdue_since = today
    save_with_entry(ob, actor=actor, action="obligation.register", reason=reason or ("登记履约事项"))
    return ob


def _locked(obligation: Obligation) -> Obligation:
    locked: Obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    return locked


def _copy_back(target: models.Model, source: models.Model) -> None:
    for f in type(source)._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


@transaction.atomic
def change_obligation(obligation: Obligation, *, actor: Actor, reason: str, due_on: dt.date | None = None,
                      amount: Decimal | None = None, title: str | None = None, basis_text: str | None = None,
                      grace_days: int | None = None, responsible_person: CivilServant | None = None,
                      responsible_post: str | None = None, creditor_name: str | None = None) -> Obligation:
    """Change an owed obligation (a new due date, amount, responsible person…), with the reason (and, for a
    promise, the legal basis and procedure in it); a ledger entry with the old and new values.

    A new due date gives the obligation its status by that date again; a breach candidate already made for
    the old due date stays for the credit office to decide.
    """
    _require_reason(reason)
    ob = _locked(obligation)
    if not ob.is_owed:
        raise ObligationError(_("履约事项已%(status)s，不能变更") % {"status": ob.get_status_display()})
    if amount is not None:
        if amount < 0:
            raise ObligationError(_("金额不能为负数"), field="amount")
        ob.amount = amount
    if title is not None:
        ob.title = title
    if basis_text is not None:
        ob.basis_text = basis_text
    if responsible_person is not None:
        ob.responsible_person = responsible_person
    if responsible_post is not None:
        ob.responsible_post = responsible_post
    if creditor_name is not None:
        ob.creditor_name = creditor_name
    if grace_days is not None:
        if grace_days < 0:
            raise ObligationError(_("宽限期不能为负数"), field="grace_days")
        ob.grace_days = grace_days
    if due_on is not None and due_on != ob.due_on:
        ob.due_on = due_on
        ob.candidate_on = None
    ob.breach_on, ob.soon_on = _breach_on(ob.due_on, ob.grace_days), _soon_on(ob.kind, ob.due_on)
    today = clock.today()
    ob.status = status_on(ob, today)
    ob.overdue_since = (ob.overdue_since or today) if ob.status == ObligationStatus.OVERDUE else None
    if ob.candidate_on is None and BreachCandidate.objects.filter(obligation=ob, due_on=ob.due_on).exists():
        ob.candidate_on = today
    ob.updated_at = clock.now()
    save_with_entry(ob, actor=actor, action="obligation.change", reason=reason)
    _copy_back(obligation, ob)
    return obligation


@transaction.atomic
def fulfil_obligation(obligation: Obligation, *, actor: Actor, reason: str = "", on: dt.date | None = None) -> Obligation:
    """The obligation is met (paid, done) on ``on`` (default today). A fulfilment after the due date does
    not undo the breach: a candidate already made stays for the credit office to decide."""
    ob = _locked(obligation)
    if not ob.is_owed:
        raise ObligationError(_("履约事项已%(status)s") % {"status": ob.get_status_display()})
    day = on or clock.today()
    if day > clock.today():
        raise ObligationError(_("履行日期不能晚于今天"), field="on")
    ob.status, ob.closed_on, ob.updated_at = ObligationStatus.FULFILLED, day, clock.now()
    save_with_entry(ob, actor=actor, action="obligation.fulfil", reason=reason or ("已履行"))
    _copy_back(obligation, ob)
    return obligation


@transaction.atomic
def cancel_obligation(obligation: Obligation, *, actor: Actor, reason: str) -> Obligation:
    """The obligation no longer exists (a contract terminated by agreement, a promise changed by its legal
    procedure); the reason is required and kept in the ledger."""
    _require_reason(reason)
    ob = _locked(obligation)
    if not ob.is_owed:
        raise ObligationError(_("履约事项已%(status)s") % {"status": ob.get_status_display()})
    ob.status, ob.closed_on, ob.updated_at = ObligationStatus.CANCELLED, clock.today(), clock.now()
    save_with_entry(ob, actor=actor, action="obligation.cancel", reason=reason)
    _copy_back(obligation, ob)
    return obligation


def obligations_for(basis: models.Model) -> models.QuerySet[Obligation]:
    """The obligations registered with ``basis`` (a higher app's row)."""
    return Obligation.objects.filter(basis_type=ContentType.objects.get_for_model(basis), basis_id=basis.pk)


# --- query codes (a creditor follows its own obligation) -------------------------------------------

def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@transaction.atomic
def issue_query_code(obligation: Obligation, *, actor: Actor) -> str:
    """A new query code for the creditor (shown once; only its SHA-256 is kept): with the reference it
    opens the public follow-up page. Issuing again replaces the old code."""
    code = secrets.token_hex(4).upper()
    ob = _locked(obligation)
    ob.query_digest, ob.updated_at = _digest(code), clock.now()
    save_with_entry(ob, actor=actor, action="obligation.query_code", reason=("发放查询码"))
    _copy_back(obligation, ob)
    return code


def find_by_code(reference: str, code: str) -> Obligation | None:
    """The obligation with this reference whose query code is ``code``; None for any mismatch (one answer)."""
    ob = Obligation.objects.filter(reference=reference.strip()).first()
    stored = ob.query_digest if ob is not None else "0" * 64
    ok = hmac.compare_digest(stored, _digest(code)) and bool(code.strip())
    return ob if ok and ob is not None and ob.query_digest else None


# --- the daily job ---------------------------------------------------------------------------------

@dataclass
class MarkResult:
    due_soon: int = 0
    overdue: int = 0
    candidates: int = 0
    candidate_ids: list[int] = field(default_factory=list)


def _due_parts(today: dt.date) -> list[tuple[Q, str]]:
    """The rows today's run changes, one condition at a time, each a range of one index, with that index's
    order: owed and past the due date, open from its due-soon day (``soon_on``), overdue past the grace
    period without a candidate for this due date. Ordered so, a ``LIMIT`` reads the index (the planner,
    believing status and due date independent, would otherwise expect a quarter of the table to match and
    scan all of it)."""
    return [(Q(status=ObligationStatus.OPEN, due_on__lt=today), "due_on"),
            (Q(status=ObligationStatus.DUE_SOON, due_on__lt=today), "due_on"),
            (Q(status=ObligationStatus.OPEN, soon_on__lte=today), "soon_on"),
            (Q(status=ObligationStatus.OVERDUE, candidate_on__isnull=True, breach_on__lte=today), "breach_on")]


def _due_filter(today: dt.date) -> Q:
    where = Q(pk__in=[])
    for part, _order in _due_parts(today):
        where |= part
    return where


def _in(ids: list[int]) -> tuple[str, list[Any]]:
    """``IN`` over ids as SQL and parameters: one array parameter on PostgreSQL (``= ANY``), else a list."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [ids]
    return f"IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _claim_sql() -> str:
    """PostgreSQL: lock and read the next rows of each condition in one statement, each part an ordered range
    of its index under ``LIMIT`` with ``FOR UPDATE SKIP LOCKED`` (rows another worker holds are skipped; a row
    changed since the statement began is checked again), tagged with its part's number."""
    q = connection.ops.quote_name
    t = q(Obligation._meta.db_table)
    columns = {f.attname: f.column for f in Obligation._meta.concrete_fields}
    select = ", ".join(q(columns[name]) for name in state_attnames(Obligation))
    parts = (("status = %(open)s AND due_on < %(today)s", "due_on"),
             ("status = %(soon)s AND due_on < %(today)s", "due_on"),
             ("status = %(open)s AND soon_on <= %(today)s", "soon_on"),
             ("status = %(overdue)s AND candidate_on IS NULL AND breach_on <= %(today)s", "breach_on"))
    locked = ", ".join(f"p{i} AS (SELECT {select} FROM {t} WHERE {where} ORDER BY {order} LIMIT %(limit)s "
                       f"FOR UPDATE SKIP LOCKED)" for i, (where, order) in enumerate(parts))
    return f"WITH {locked} " + " UNION ALL ".join(f"SELECT {i}, p{i}.* FROM p{i}" for i in range(len(parts)))


def _claim_rows(today: dt.date, limit: int) -> tuple[list[tuple[Any, ...]], bool]:
    """Lock and read (as value tuples in ``state_attnames`` order) the next chunk of rows to change, at most
    ``limit`` rows of each condition; rows another worker holds are its work; whether a condition may have
    more. Each condition is an index range in the index's order (one ``OR`` of them, under a ``LIMIT``, makes
    the planner scan the table): on PostgreSQL one statement locking as it reads (a row matching two conditions
    comes once); elsewhere the ids one condition at a time, then the rows by primary key with the whole
    condition checked again (SQLite's write lock, taken at ``BEGIN``, keeps other writers out)."""
    if connection.vendor == "postgresql":
        import psycopg

        # thousands of rows of dates, amounts and times: read in binary (parsed in C, a third of the time of
        # text, whose time zone loader is Python); the same connection, so the same transaction
        with connection.cursor() as wrapper, psycopg.Cursor(wrapper.connection) as cur:
            cur.execute(_claim_sql(), {"limit": limit, "today": today, "open": ObligationStatus.OPEN.value,
                                       "soon": ObligationStatus.DUE_SOON.value,
                                       "overdue": ObligationStatus.OVERDUE.value}, prepare=False, binary=True)
            found = cur.fetchall()
        at_id = state_attnames(Obligation).index("id")
        per_part: dict[int, int] = {}
        rows: dict[int, tuple[Any, ...]] = {}
        for part, *row in found:
            per_part[part] = per_part.get(part, 0) + 1
            rows.setdefault(row[at_id], tuple(row))
        return list(rows.values()), any(n >= limit for n in per_part.values())
    ids: list[int] = []
    for part, order in _due_parts(today):
        if len(ids) >= limit:
            break
        ids += Obligation.objects.filter(part).order_by(order).values_list("pk", flat=True)[:limit - len(ids)]
    if not ids:
        return [], False
    qs = Obligation.objects.filter(_due_filter(today), pk__in=ids)
    return list(qs.order_by("pk").values_list(*state_attnames(Obligation))), len(ids) >= limit


_CANDIDATE_COLUMNS = ("obligation_id, due_on, record_type, subject_org_id, responsible_person_id, amount, status, "
                      "created_on, reason, created_at, updated_at")


def _write_rows(new: list[tuple[int, str, dt.date | None, dt.date | None]], made: list[int], today: dt.date,
                now: dt.datetime, meanwhile: Callable[[], None]) -> tuple[dict[int, int], tuple[int, str] | None]:
    """Give each row (id, status, overdue_since, candidate_on) its new values and insert the candidates of the
    obligations ``made`` (copying due date, record type, debtor, responsible person and amount from the row);
    return obligation id → candidate id, and the ledger's head when it was locked here. One ``UPDATE`` per
    distinct set of new values (at most four) and one ``INSERT … SELECT`` (Django's ``bulk_create`` would compile
    every value); on PostgreSQL all in one statement, the ``UPDATE``s' ``RETURNING`` feeding the ``INSERT``, sent
    in one pipeline with the lock of the ledger's head (``ledger.services.head_lock_sql``), and ``meanwhile`` (the
    entries' Python work) runs while the server works; elsewhere ``meanwhile`` runs after the writes."""
    q = connection.ops.quote_name
    c, o = q(BreachCandidate._meta.db_table), q(Obligation._meta.db_table)
    pending, stamp = CandidateStatus.PENDING.value, connection.ops.adapt_datetimefield_value(now)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for pk, *values in new:
        groups.setdefault(tuple(values), []).append(pk)
    if connection.vendor == "postgresql":
        import psycopg

        updates, params = [], []
        for i, ((status, overdue_since, candidate_on), pks) in enumerate(groups.items()):
            updates.append(f"u{i} AS (UPDATE {o} SET status = %s, overdue_since = %s::date, "
                           f"candidate_on = %s::date, updated_at = %s WHERE id = ANY(%s::bigint[]) RETURNING id, "
                           f"due_on, record_type, debtor_org_id, responsible_person_id, amount)")
            params += [status, overdue_since, candidate_on, now, _id_array(pks)]
        changed = " UNION ALL ".join(f"SELECT * FROM u{i}" for i in range(len(groups)))
        # one exchange with the server: the writes and the head's lock are sent, the entries computed while the
        # server works, then both answers read (the same connection, so the same transaction)
        with connection.cursor() as wrapper:
            raw = wrapper.connection
            with raw.pipeline(), psycopg.Cursor(raw) as cur, psycopg.Cursor(raw) as head_cur:
                cur.execute(f"WITH {', '.join(updates)} INSERT INTO {c} ({_CANDIDATE_COLUMNS}) SELECT id, due_on, "
                            f"record_type, debtor_org_id, responsible_person_id, amount, %s, %s, '', %s, %s "
                            f"FROM ({changed}) AS u WHERE id = ANY(%s::bigint[]) RETURNING id, obligation_id",
                            [*params, pending, today, now, now, _id_array(made)], prepare=False)
                head_cur.execute(head_lock_sql(), prepare=False)
                meanwhile()
                new_ids = {int(ob): int(pk) for pk, ob in cur.fetchall()}
                head = head_cur.fetchone()
        return new_ids, (None if head is None else (int(head[0]), str(head[1])))
    with ledger_writing():
        for (status, overdue_since, candidate_on), pks in groups.items():
            Obligation.objects.filter(pk__in=pks).update(status=status, overdue_since=overdue_since,
                                                         candidate_on=candidate_on, updated_at=now)
    new_ids = {}
    if made:
        where, params = _in(made)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {c} ({_CANDIDATE_COLUMNS}) SELECT id, due_on, record_type, debtor_org_id, "
                        f"responsible_person_id, amount, %s, %s, %s, %s, %s FROM {o} WHERE id {where} "
                        f"RETURNING id, obligation_id",
                        [pending, connection.ops.adapt_datefield_value(today), "", stamp, stamp, *params])
            new_ids = {int(ob): int(pk) for pk, ob in cur.fetchall()}
    meanwhile()
    return new_ids, None


def _id_array(ids: list[int]) -> str:
    """Ids as one PostgreSQL array literal (one text parameter instead of an element-by-element list)."""
    return "{" + ",".join(map(str, ids)) + "}"


def _candidate_entries(made: list[tuple[int, dict[str, Any]]], new_ids: dict[int, int], today: dt.date,
                       now: dt.datetime) -> list[Change]:
    """One ledger entry per candidate inserted, whose state is computed from the values the statement copied."""
    names = state_attnames(BreachCandidate)
    text, uid = actor_of(SYSTEM)
    entity = entity_type_of(BreachCandidate)
    reason = "逾期超过宽限期，待信用管理部门确认"
    changes = []
    for ob_id, values in made:
        state = {"id": new_ids[ob_id], "obligation_id": ob_id, "status": CandidateStatus.PENDING.value,
                 "created_on": today, "reason": "", "created_at": now, "updated_at": now, "decided_by_id": None,
                 "decided_at": None, "org_record_id": None, "person_record_id": None, **values}
        digest = digest_state(state_of_values(BreachCandidate, [state[n] for n in names]))
        changes.append(Change(text, "obligation.candidate.create", entity, new_ids[ob_id], digest, reason, uid))
    return changes


def mark_obligations(today: dt.date | None = None, *, chunk: int = CHUNK) -> MarkResult:
    """Daily job: owed obligations past their due date become 已逾期, those within their kind's window
    before it 即将到期, and overdue ones past their grace period get a breach candidate (never a record).

    Set-based: each chunk is one locking read of the rows to change (``select_for_update(skip_locked)`` on
    PostgreSQL, SQLite's write lock otherwise), one ``UPDATE`` (PostgreSQL; one per kind of change on SQLite),
    one insert of the candidates and one ledger append with an entry per changed row (old → new values,
    computed from the row as read) and per candidate. Idempotent and safe on several workers: a changed row
    no longer matches.
    """

    today = today or clock.today()
    result = MarkResult()
    names = state_attnames(Obligation)
    at = {name: i for i, name in enumerate(names)}
    i_id, i_status, i_due, i_soon = at["id"], at["status"], at["due_on"], at["soon_on"]
    i_since, i_cand, i_breach = at["overdue_since"], at["candidate_on"], at["breach_on"]
    text, uid = actor_of(SYSTEM)
    entity = entity_type_of(Obligation)
    entry_of = ValueChanges(Obligation)
    overdue, due_soon = ObligationStatus.OVERDUE.value, ObligationStatus.DUE_SOON.value
    opened = ObligationStatus.OPEN.value
    reasons = {"obligation.overdue": "履行期限已过", "obligation.due_soon": "履行期限将至",
               "obligation.candidate": "逾期超过宽限期，生成失信候选",
               "obligation.overdue+": "履行期限已过，且已超过宽限期，生成失信候选"}
    while True:
        with collector_paused(), transaction.atomic():
            rows, more = _claim_rows(today, chunk)
            if not rows:
                return result
            now = clock.now()
            new: list[tuple[int, str, dt.date | None, dt.date | None]] = []
            changes: list[Change] = []
            pending: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
            made: list[tuple[int, dict[str, Any]]] = []
            for row in rows:
                status, due = row[i_status], row[i_due]
                values: dict[str, Any] = {}
                if status != overdue and due < today:
                    values |= {"status": overdue, "overdue_since": today}
                    result.overdue += 1
                elif status == opened and row[i_soon] is not None and row[i_soon] <= today:
                    values["status"] = due_soon
                    result.due_soon += 1
                if values.get("status", status) == overdue and row[i_cand] is None and row[i_breach] <= today:
                    values["candidate_on"] = today
                    made.append((row[i_id], {
                        "due_on": due, "record_type": row[at["record_type"]], "subject_org_id": row[at["debtor_org_id"]],
                        "responsible_person_id": row[at["responsible_person_id"]], "amount": row[at["amount"]]}))
                if not values:  # matched by a status this run does not change (a kind no longer registered)
                    continue
                values["updated_at"] = now
                pending.append((row, values))
                new.append((row[i_id], values.get("status", status), values.get("overdue_since", row[i_since]),
                            values.get("candidate_on", row[i_cand])))
            if not pending:
                return result

            def entries(pending: list[tuple[tuple[Any, ...], dict[str, Any]]] = pending,
                        changes: list[Change] = changes) -> None:
                for row, values in pending:
                    action = ("obligation.overdue" if "overdue_since" in values else
                              "obligation.candidate" if "candidate_on" in values else "obligation.due_soon")
                    why = reasons[action + "+" if action == "obligation.overdue" and "candidate_on" in values
                                  else action]
                    digest, diff = entry_of(row, values)
                    changes.append(Change(text, action, entity, row[i_id], digest, why, uid, diff))

            new_ids, head = _write_rows(new, [pk for pk, _ in made], today, now, entries)
            append_changes(changes + _candidate_entries(made, new_ids, today, now), head=head)
            created = [new_ids[pk] for pk, _ in made]
            result.candidates += len(created)
            if len(result.candidate_ids) < 1000:
                result.candidate_ids.extend(created[:1000])
        if not more:  # every matching row was in this chunk (those another worker locked are its work)
            return result


def run_daily() -> dict[str, int]:
    """The scheduled entry point (``core.jobs``): first the procurement contracts whose agreed inspection period
    lapsed get their due dates (``entry.refresh_lapsed_inspections``), then today's marks and candidates, as
    counts."""
    from .entry import refresh_lapsed_inspections  # entry builds on this module

    lapsed = refresh_lapsed_inspections()
    r = mark_obligations()
    return {"due_soon": r.due_soon, "overdue": r.overdue, "candidates": r.candidates, **lapsed}


# --- the credit office's decision on a candidate ----------------------------------------------------

def _decider(actor: User) -> None:
    if access.role_of(actor) != Role.CREDIT_OFFICE:
        raise ObligationError(_("只有信用管理部门可以确认或驳回失信候选"))


def _locked_candidate(candidate: BreachCandidate) -> BreachCandidate:
    locked: BreachCandidate = BreachCandidate.objects.select_for_update(of=("self",)).select_related(
        "obligation", "obligation__debtor_org", "subject_org", "responsible_person").get(pk=candidate.pk)
    if locked.status != CandidateStatus.PENDING:
        raise Conflict(_("该失信候选已%(status)s") % {"status": locked.get_status_display()})
    return locked


def _record_values(candidate: BreachCandidate, *, authority: str, number: str, severity: str, facts: str) -> dict[str, Any]:
    ob = candidate.obligation
    amount = None if candidate.amount is None else (candidate.amount / Decimal(10000)).quantize(Decimal("0.000001"))
    values: dict[str, Any] = {"decision_number": number, "authority_name": authority,
                              "decision_date": clock.today(), "severity": severity}
    if candidate.record_type == "tqzk":
        values |= {"creditor": ob.creditor_label, "due_date": candidate.due_on, "amount": amount}
    else:
        values |= {"contract_name": ob.title, "facts": facts, "amount": amount}
    return values


@transaction.atomic
def confirm_candidate(candidate: BreachCandidate, *, actor: User, severity: str, reason: str,
                      decision_number: str = "", include_person: bool = True,
                      responsible_person: CivilServant | None = None,
                      decided_on: dt.date | None = None) -> BreachCandidate:
    """The credit office confirms a breach: a dishonesty record about the organisation and, where the
    responsible person is known (named, or the post's holder on the due date) and ``include_person``,
    one about that person, each entered through ``archive.services.record_decision`` (its ledger entry,
    and the measures the sanctions rules give it). The candidate keeps the records it became."""
    _decider(actor)
    _require_reason(reason)
    locked = _locked_candidate(candidate)
    ob = locked.obligation
    version = RecordType.objects.get(code=locked.record_type).current()
    issuing = actor.organization
    if issuing is None:
        raise ObligationError(_("您的账号没有所属单位，不能认定"))
    number = decision_number.strip() or ob.reference
    facts = (f"{ob.debtor_org.name} 未在 {candidate.due_on} 前履行“{ob.title}”（{kind_label(ob.kind)}，编号 {ob.reference}）；{reason}")
    values = _record_values(locked, authority=issuing.name, number=number, severity=severity, facts=facts)
    if decided_on is not None:  # the finding's date (认定日期), if not today; never before the candidate
        if not locked.created_on <= decided_on <= clock.today():
            raise ObligationError(_("认定日期须在候选生成之日与今天之间"), field="decided_on")
        values["decision_date"] = decided_on
    locked.org_record = record_decision(version, values, issuing_org=issuing, actor=actor,
                                        subject_org=locked.subject_org, reason=reason)
    person = responsible_person or locked.responsible_person or responsible_for(ob, locked.due_on)
    if include_person and person is not None:
        if SubjectKind.CIVIL_SERVANT not in set(version.subject_kinds):
            raise ObligationError(_("当前目录版本的“%(type)s”不适用于公务员，不能认定责任人") % {"type": version.record_type.name})
        locked.person_record = record_decision(version, values, issuing_org=issuing, actor=actor,
                                               subject_person=person, reason=reason)
        locked.responsible_person = person
    locked.status, locked.decided_by, locked.decided_at = CandidateStatus.CONFIRMED, actor, clock.now()
    locked.reason, locked.updated_at = reason, clock.now()
    save_with_entry(locked, actor=actor, action="obligation.candidate.confirm", reason=reason)
    _copy_back(candidate, locked)
    return candidate


@transaction.atomic
def dismiss_candidate(candidate: BreachCandidate, *, actor: User, reason: str) -> BreachCandidate:
    """The credit office dismisses a candidate (e.g. the delay was the creditor's, or force majeure), with
    the reason; no record is made."""
    _decider(actor)
    _require_reason(reason)
    locked = _locked_candidate(candidate)
    locked.status, locked.decided_by, locked.decided_at = CandidateStatus.DISMISSED, actor, clock.now()
    locked.reason, locked.updated_at = reason, clock.now()
    save_with_entry(locked, actor=actor, action="obligation.candidate.dismiss", reason=reason)
    _copy_back(candidate, locked)
    return candidate


def records_of(candidate: BreachCandidate) -> list[CreditRecord]:
    return [r for r in (candidate.org_record, candidate.person_record) if r is not None]
