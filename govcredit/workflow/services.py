"""The workflow engine: opening cases, moving them through their kind's state machine, evidence, deadlines.

:func:`transition` is the only way a case changes state: it checks the kind's steps, the actor's role
and scope, writes the case and its history row with their ledger entries in one transaction and
notifies whoever the case now waits for. The scheduled jobs :func:`send_reminders` and
:func:`mark_overdue` claim their cases chunk by chunk (``select_for_update(skip_locked=True)`` on
PostgreSQL, SQLite's write lock from BEGIN otherwise), so several workers may run them at once, and
are idempotent: a reminder is sent once per case and offset (:class:`~.models.Alert`), a case is
marked overdue and escalated once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from govcredit.accounts import access
from govcredit.accounts.models import Role, User
from govcredit.core import clock
from govcredit.ledger.services import create_with_entries, save_with_entry, update_with_entries
from govcredit.subjects.models import CivilServant, Organization
from govcredit.workdays.services import add_workdays

from . import kinds
from .kinds import SYSTEM, Kind
from .models import Alert, Case, CaseEvent, Evidence, Notification
from .selectors import followed_filter, notifications_of, owed_cases

logger = logging.getLogger("govcredit.workflow")

CHUNK = 500
DEFAULT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Evidence is recognised by its first bytes, never by its name or the browser's claim.
MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
MSG_OUT_OF_SCOPE = gettext_noop("该事项不在您的管辖范围内")


# --- deadlines ------------------------------------------------------------------------------------

def shift(kind: Kind, day: dt.date, n: int) -> dt.date:
    """``day`` moved by ``n`` of the kind's days (working days by the State Council calendar, or calendar days)."""
    return add_days(day, n, kind.working_days)


def add_days(day: dt.date, n: int, working_days: bool) -> dt.date:
    """``day`` moved by ``n`` working days (State Council calendar) or calendar days."""
    if working_days:
        return add_workdays(day, n).date
    return day + dt.timedelta(days=n)


def due_date(kind: Kind, opened_on: dt.date) -> dt.date:
    return shift(kind, opened_on, kind.days)


# --- who the case waits for -----------------------------------------------------------------------

def _waiting_roles(kind: Kind, state: str) -> set[Role]:
    roles = kind.acting_roles(state)
    if state not in kind.final:
        roles |= set(kind.owner_roles)
    return roles


def _paths_above(org: Organization | None) -> list[str]:
    if org is None:
        return []
    parts = org.path.strip("/").split("/")
    return ["".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts) + 1)]


def _subject_scope(org: Organization | None, person: CivilServant | None, roles: set[Role]) -> Q:
    """Users of ``roles`` whose scope holds a subject (an organisation, or a person and its employer):
    the city-wide roles, the subtree roles of the organisation or any above it, the subject's own users."""
    scope = Q(role__in=access.CITY_WIDE & roles)
    subtree = access.SUBTREE & roles
    if subtree:
        scope |= Q(role__in=subtree, organization__path__in=_paths_above(org or (person.employer if person else None)))
    if Role.SUBJECT in roles:
        if person is not None:
            scope |= Q(role=Role.SUBJECT, civil_servant_id=person.pk)
        if org is not None:
            scope |= Q(role=Role.SUBJECT, organization_id=org.pk, civil_servant__isnull=True)
    return scope


def recipients(case: Case, roles: set[Role]) -> list[User]:
    """Active users of ``roles`` whose scope holds the case (the same rule as ``access.case_scope``)."""
    scope = _subject_scope(case.debtor_org, case.debtor_person, roles)
    return list(User.objects.filter(scope, is_active=True).order_by("pk"))


def subject_recipients(subjects: list[tuple[Organization | None, CivilServant | None]],
                       roles: set[Role]) -> dict[tuple[int | None, int | None], list[User]]:
    """For each subject (organisation, person): the active users of ``roles`` whose scope holds it, as for a
    case it owed; one query for all of them. Keys are (organisation id, person id)."""
    if not subjects:
        return {}
    # one filter for all of them (a superset: the subtree roles of any subject's ancestors, the subjects' own
    # users), narrowed per subject below; an OR of one filter per subject costs the ORM quadratic time
    scope = Q(role__in=access.CITY_WIDE & roles)
    subtree = access.SUBTREE & roles
    if subtree:
        paths = {p for org, person in subjects for p in _paths_above(org or (person.employer if person else None))}
        scope |= Q(role__in=subtree, organization__path__in=sorted(paths))
    if Role.SUBJECT in roles:
        people = sorted({person.pk for _org, person in subjects if person is not None})
        orgs = sorted({org.pk for org, _person in subjects if org is not None})
        if people:
            scope |= Q(role=Role.SUBJECT, civil_servant_id__in=people)
        if orgs:
            scope |= Q(role=Role.SUBJECT, organization_id__in=orgs, civil_servant__isnull=True)
    users = list(User.objects.filter(scope, is_active=True).select_related("organization").order_by("pk"))
    out: dict[tuple[int | None, int | None], list[User]] = {}
    for org, person in subjects:
        above = set(_paths_above(org or (person.employer if person else None)))
        out[(org.pk if org else None, person.pk if person else None)] = [
            u for u in users if access.role_of(u) in roles and (
                u.role in access.CITY_WIDE
                or (u.role in access.SUBTREE and u.organization is not None and u.organization.path in above)
                or (u.role == Role.SUBJECT and person is not None and u.civil_servant_id == person.pk)
                or (u.role == Role.SUBJECT and org is not None and u.organization_id == org.pk
                    and u.civil_servant_id is None))]
    return out


def notify(case: Case | None, users: list[User], text: str, *, link: str = "") -> None:
    """An inbox notification for each user, and an e-mail (after commit) to those with an address.

    A notification is about a case, or (``case`` None) about something else that concerns the user, with
    ``link`` to its page (a measure started for the user's subject). Mail goes through Django's e-mail
    backend (the console in the demo; SMTP where configured); a failing mail server is logged and never
    undoes the decision that caused the notification.
    """
    notify_many([Message(users, text, case, link)])


@dataclass(frozen=True)
class Message:
    """One notification to send: to ``users``, about ``case`` or with a ``link`` to what it is about."""

    users: list[User]
    text: str
    case: Case | None = None
    link: str = ""


def notify_many(messages: list[Message]) -> int:
    """Send several notifications with one insert (a batch of measures starting); returns how many rows."""
    now = clock.now()
    rows = [Notification(user=u, case=m.case, text=m.text[:300], link=m.link[:300], created_at=now)
            for m in messages for u in m.users]
    Notification.objects.bulk_create(rows)
    mails = [(m, [u.email for u in m.users if u.email]) for m in messages]
    mails = [(m, addresses) for m, addresses in mails if addresses]
    if mails:
        transaction.on_commit(lambda: _send(mails))
    return len(rows)


def _send(mails: list[tuple[Message, list[str]]]) -> None:
    for m, addresses in mails:
        footer = (f"办理事项 #{m.case.pk}，办理期限 {m.case.due_on:%Y-%m-%d}。" if m.case is not None
                  else f"详情：{m.link}" if m.link else "")
        try:
            send_mail(f"[政务诚信平台] {m.text[:60]}", f"{m.text}\n\n{footer}".rstrip(), None, addresses)
        except Exception:
            logger.exception("通知邮件发送失败（%s）", m.text[:60])


# --- opening and moving cases ---------------------------------------------------------------------

def _event(case: Case, from_state: str, actor: User | None, reason: str, now: dt.datetime) -> None:
    event = CaseEvent(case=case, from_state=from_state, to_state=case.status, actor=actor,
                      actor_name=actor.get_username() if actor else SYSTEM, reason=reason, at=now)
    save_with_entry(event, actor=actor or SYSTEM, action="workflow.event", reason=reason)


@transaction.atomic
def open_case(kind_code: str, *, owed_to: str, basis_text: str, reason: str,
              debtor_org: Organization | None = None, debtor_person: CivilServant | None = None,
              basis: models.Model | None = None, actor: User | None = None,
              days: tuple[int, bool] | None = None) -> Case:
    """Open a case of a registered kind; its due date counts from today in the kind's days, or in ``days``
    (how many, and whether working days) where what opens it sets its own time limit (a measure's
    rectification deadline)."""
    kind = kinds.get(kind_code)
    if debtor_org is None and debtor_person is None:
        raise ValidationError({"debtor": gettext("办理事项必须有责任单位或责任人")})
    now, today = clock.now(), clock.today()
    case = Case(kind=kind.code, debtor_org=debtor_org, debtor_person=debtor_person, owed_to=owed_to,
                basis_type=ContentType.objects.get_for_model(basis) if basis is not None else None,
                basis_id=basis.pk if basis is not None else None, basis_text=basis_text, status=kind.initial,
                opened_on=today, due_on=due_date(kind, today) if days is None else add_days(today, *days),
                created_at=now, updated_at=now)
    save_with_entry(case, actor=actor or SYSTEM, action="workflow.open", reason=reason)
    _event(case, "", actor, reason, now)
    notify(case, recipients(case, _waiting_roles(kind, case.status)),
           f"新办理事项：{kind.label}（{case.basis_text[:80]}），请于 {case.due_on:%Y-%m-%d} 前办结")
    return case


@transaction.atomic
def transition(case: Case, to_state: str, actor: User | None, reason: str) -> Case:
    """Move ``case`` to ``to_state`` if its kind allows that step for ``actor`` (None: the application itself).

    Refusals change nothing: an unknown or forbidden step and a missing reason raise ``ValidationError``
    (422 in the API), a role that may not take the step or a case outside the actor's scope raise
    ``PermissionDenied``.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    kind = kinds.get(locked.kind)
    step = kind.step(locked.status, to_state)
    if step is None:
        if locked.status in kind.final:
            raise ValidationError({"to_state": gettext("“%(kind)s”已办结（%(status)s），不能再转为“%(to)s”") % {
                "kind": gettext(kind.label), "status": gettext(locked.status), "to": gettext(to_state)}})
        allowed = gettext("、").join(gettext("“%(state)s”") % {"state": gettext(s.target)}
                                    for s in kind.steps if s.source == locked.status) or gettext("无")
        raise ValidationError({"to_state": gettext("“%(kind)s”不能从“%(status)s”转为“%(to)s”（可转为：%(allowed)s）") % {
            "kind": gettext(kind.label), "status": gettext(locked.status), "to": gettext(to_state), "allowed": allowed}})
    if actor is None:
        if not step.system:
            raise PermissionDenied(gettext("“%(step)s”须由经办人员办理，系统不能代办") % {"step": gettext(step.label)})
    else:
        if access.role_of(actor) not in step.roles:
            raise PermissionDenied(gettext("您的角色无权办理“%(step)s”") % {"step": gettext(step.label)})
        if not owed_cases(actor).filter(pk=locked.pk).exists():
            raise PermissionDenied(gettext(MSG_OUT_OF_SCOPE))
    if not reason.strip():
        raise ValidationError({"reason": gettext("办理必须填写理由")})
    now = clock.now()
    from_state = locked.status
    locked.status, locked.updated_at = to_state, now
    if to_state in kind.final:
        locked.closed_at = now
    save_with_entry(locked, actor=actor or SYSTEM, action="workflow.transition",
                    reason=f"{from_state} → {to_state}：{reason}")
    _event(locked, from_state, actor, reason, now)
    roles = _waiting_roles(kind, to_state) if to_state not in kind.final else set(kind.owner_roles)
    notify(locked, recipients(locked, roles), f"{kind.label} #{locked.pk}：{step.label}（{from_state} → {to_state}）")
    for f in Case._meta.concrete_fields:
        setattr(case, f.attname, getattr(locked, f.attname))
    return case


@transaction.atomic
def set_due(case: Case, due_on: dt.date, *, actor: User | None, reason: str) -> Case:
    """Give an open case a new due date (the next stage of a kind whose stages have their own time limits,
    e.g. accepted → decided within n working days, or an extension); a ledger entry. The overdue and
    escalation marks and the reminders sent are for the old date, so they are cleared."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.closed_at is not None:
        raise ValidationError({"due_on": gettext("办理事项已办结，不能变更办理期限")})
    locked.due_on, locked.overdue_at, locked.escalated_at, locked.updated_at = due_on, None, None, clock.now()
    save_with_entry(locked, actor=actor.get_username() if actor else SYSTEM, action="workflow.due",
                    reason=f"办理期限改为 {due_on:%Y-%m-%d}：{reason}")
    Alert.objects.filter(case=locked).delete()
    for f in Case._meta.concrete_fields:
        setattr(case, f.attname, getattr(locked, f.attname))
    return case


def open_cases_for(kind_code: str, basis: QuerySet[Any] | list[Any]) -> QuerySet[Case]:
    """The open cases of a kind whose basis is one of these rows."""
    objs = list(basis)
    if not objs:
        return Case.objects.none()
    ct = ContentType.objects.get_for_model(objs[0])
    return Case.objects.filter(kind=kind_code, basis_type=ct, basis_id__in=[o.pk for o in objs], closed_at__isnull=True)


def open_basis_ids(kind_code: str, model: type[models.Model]) -> QuerySet[Case, Any]:
    """The ids of the ``model`` rows that open cases of a kind are about (a subquery for the kind's app)."""
    return Case.objects.filter(kind=kind_code, basis_type=ContentType.objects.get_for_model(model),
                               closed_at__isnull=True).values("basis_id")


def close_for_basis(kind_code: str, basis: list[Any], to_state: str, reason: str) -> int:
    """Let the application itself take a system step on the open cases of these rows (e.g. the portal job
    withdrew the publications they were about); returns how many cases moved."""
    cases = list(open_cases_for(kind_code, basis).order_by("pk"))
    for case in cases:
        transition(case, to_state, None, reason)
    return len(cases)


# --- many cases at once (a scheduled job's batch) ------------------------------------------------

@dataclass(frozen=True)
class NewCase:
    """One case for :func:`open_cases`: who owes it and what it is about."""

    basis_text: str
    debtor_org: Organization | None = None
    debtor_person: CivilServant | None = None
    basis: models.Model | None = None


def recipients_many(cases: Sequence[Case], roles_of: Callable[[Case], set[Role]]) -> dict[int, list[User]]:
    """:func:`recipients` for many cases in one query: case id → the active users of ``roles_of(case)`` whose
    scope holds it (the debtors must be loaded: ``debtor_org``, ``debtor_person__employer``)."""
    wanted = {case.pk: roles_of(case) for case in cases}
    roles: set[Role] = set().union(*wanted.values()) if wanted else set()
    if not roles:
        return {pk: [] for pk in wanted}
    found = subject_recipients([(case.debtor_org, case.debtor_person) for case in cases], roles)
    return {case.pk: [u for u in found[(case.debtor_org_id, case.debtor_person_id)] if access.role_of(u) in wanted[case.pk]]
            for case in cases}


@transaction.atomic
def open_cases(kind_code: str, items: Sequence[NewCase], *, owed_to: str, reason: str,
               actor: User | None = None) -> list[Case]:
    """:func:`open_case` for many cases at once (a scheduled job's batch): the cases, their first history rows
    and their ledger entries (one each) in a few bulk statements, the notifications in one insert. Returns the
    cases in the order of ``items``."""
    kind = kinds.get(kind_code)
    if any(item.debtor_org is None and item.debtor_person is None for item in items):
        raise ValidationError({"debtor": gettext("办理事项必须有责任单位或责任人")})
    if not items:
        return []
    now, today = clock.now(), clock.today()
    due = due_date(kind, today)
    types: dict[type[models.Model], ContentType] = {}

    def basis_type(basis: models.Model | None) -> ContentType | None:
        if basis is None:
            return None
        model = type(basis)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(basis)
        return types[model]

    cases = [Case(kind=kind.code, debtor_org=item.debtor_org, debtor_person=item.debtor_person, owed_to=owed_to,
                  basis_type=basis_type(item.basis), basis_id=item.basis.pk if item.basis is not None else None,
                  basis_text=item.basis_text, status=kind.initial, opened_on=today, due_on=due, created_at=now,
                  updated_at=now) for item in items]
    actor_name = actor.get_username() if actor else SYSTEM
    cases = create_with_entries(Case, cases, actor=actor or SYSTEM, action="workflow.open", reason=reason)
    create_with_entries(CaseEvent, [CaseEvent(case=case, from_state="", to_state=case.status, actor=actor,
                                              actor_name=actor_name, reason=reason, at=now) for case in cases],
                        actor=actor or SYSTEM, action="workflow.event", reason=reason)
    roles = _waiting_roles(kind, kind.initial)
    found = recipients_many(cases, lambda case: roles)
    notify_many([Message(found[case.pk],
                  f"新办理事项：{kind.label}（{case.basis_text[:80]}），请于 {case.due_on:%Y-%m-%d} 前办结", case)
                 for case in cases])
    return cases


@transaction.atomic
def close_cases(cases: Sequence[Case], to_state: str, reason: str) -> int:
    """The application itself takes a system step to ``to_state`` on many open cases at once (a scheduled
    job's batch): the same checks as :func:`transition` (the kind must allow that step to the system), the
    cases and their history rows with one ledger entry each in a few bulk statements. Cases already closed
    are left alone; returns how many moved."""
    if not reason.strip():
        raise ValidationError({"reason": gettext("办理必须填写理由")})
    locked = list(Case.objects.select_for_update(of=("self",)).filter(pk__in=[c.pk for c in cases], closed_at__isnull=True)
                  .select_related("debtor_org", "debtor_person__employer").order_by("pk"))
    if not locked:
        return 0
    now = clock.now()
    groups: dict[tuple[str, str], list[Case]] = {}
    labels: dict[tuple[str, str], str] = {}
    for case in locked:
        kind = kinds.get(case.kind)
        step = kind.step(case.status, to_state)
        if step is None or not step.system:
            raise ValidationError({"to_state": gettext("“%(kind)s”不能由系统从“%(status)s”转为“%(to)s”") % {
                "kind": gettext(kind.label), "status": gettext(case.status), "to": gettext(to_state)}})
        key = (case.kind, case.status)
        groups.setdefault(key, []).append(case)
        labels[key] = step.label
    events: list[CaseEvent] = []
    notices: list[tuple[Case, str, set[Role]]] = []
    for (kind_code, from_state), group in groups.items():
        kind = kinds.get(kind_code)
        for case in group:
            case.status, case.updated_at = to_state, now
            if to_state in kind.final:
                case.closed_at = now
            events.append(CaseEvent(case=case, from_state=from_state, to_state=to_state, actor=None, actor_name=SYSTEM,
                                    reason=reason, at=now))
            roles = _waiting_roles(kind, to_state) if to_state not in kind.final else set(kind.owner_roles)
            notices.append((case, f"{kind.label} #{case.pk}：{labels[(kind_code, from_state)]}（{from_state} → {to_state}）",
                            roles))
        for i in range(0, len(group), 100):  # a bulk update's CASE WHEN grows quadratically with its batch
            update_with_entries(Case, group[i:i + 100], ["status", "updated_at", "closed_at"], actor=SYSTEM,
                                action="workflow.transition", reason=f"{from_state} → {to_state}：{reason}")
    create_with_entries(CaseEvent, events, actor=SYSTEM, action="workflow.event", reason=reason)
    roles_by_case = {case.pk: roles for case, _text, roles in notices}
    found = recipients_many(locked, lambda case: roles_by_case[case.pk])
    notify_many([Message(found[case.pk], text, case) for case, text, _roles in notices])
    by_pk = {case.pk: case for case in locked}
    for case in cases:  # the caller's objects see the new state, as after transition()
        moved = by_pk.get(case.pk)
        if moved is not None:
            for f in ("status", "updated_at", "closed_at"):
                setattr(case, f, getattr(moved, f))
    return len(locked)


# --- evidence -------------------------------------------------------------------------------------

def evidence_max_bytes() -> int:
    return int(getattr(settings, "GOVCREDIT_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES))


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG or PNG by its magic bytes; None for anything else."""
    return next(((ctype, ext) for magic, ctype, ext in MAGIC if data.startswith(magic)), None)


@transaction.atomic
def attach_evidence(case: Case, name: str, data: bytes, actor: User) -> Evidence:
    """Store a PDF/JPEG/PNG under MEDIA_ROOT by its SHA-256 and add it to the case (a ledger entry)."""
    kind = kinds.get(case.kind)
    if access.role_of(actor) not in {r for s in kind.steps for r in s.roles} | set(kind.owner_roles):
        raise PermissionDenied(gettext("您的角色无权为该事项上传佐证材料"))
    if not owed_cases(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(gettext(MSG_OUT_OF_SCOPE))
    limit = evidence_max_bytes()
    if len(data) > limit:
        raise ValidationError({"file": gettext("文件超过 %(mb)s MB 上限") % {"mb": limit // (1024 * 1024)}})
    if not data:
        raise ValidationError({"file": gettext("文件为空")})
    found = sniff(data)
    if found is None:
        raise ValidationError({"file": gettext("只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，不按扩展名）")})
    ctype, ext = found
    digest = hashlib.sha256(data).hexdigest()
    path = f"workflow/evidence/{digest[:2]}/{digest}{ext}"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(data))
    evidence = Evidence(case=case, name=name[-200:] or f"{digest[:12]}{ext}", content_type=ctype, size=len(data),
                        sha256=digest, path=path, uploaded_by=actor, uploaded_at=clock.now())
    save_with_entry(evidence, actor=actor, action="workflow.evidence", reason=f"上传佐证材料 {evidence.name}")
    return evidence


# --- scheduled jobs -------------------------------------------------------------------------------

def _claim(candidates: QuerySet[Case]) -> list[Case]:
    """Lock the next chunk of candidates for this transaction (rows another worker holds are its work)."""
    if connection.vendor == "postgresql":
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return list(candidates.order_by("pk")[:CHUNK])


def send_reminders(today: dt.date | None = None) -> int:
    """Remind whoever each open case waits for, once per reminder offset of its kind, before it is due."""
    today = today or clock.today()
    sent = 0
    for kind in kinds.all_kinds():
        for offset in sorted(kind.reminders, reverse=True):
            horizon = shift(kind, today, offset)
            while True:
                with transaction.atomic():
                    cases = _claim(Case.objects.filter(kind=kind.code, closed_at__isnull=True, due_on__gte=today,
                                                       due_on__lte=horizon).exclude(alerts__offset=offset))
                    if not cases:
                        break
                    # Another worker may have committed its reminders between this statement's snapshot and
                    # the lock (it changes no case row, so the lock does not re-check): a fresh statement drops them.
                    taken = set(Alert.objects.filter(case__in=cases, offset=offset).values_list("case_id", flat=True))
                    cases = [c for c in cases if c.pk not in taken]
                    now = clock.now()
                    Alert.objects.bulk_create([Alert(case=c, offset=offset, sent_at=now) for c in cases])
                    for case in cases:
                        notify(case, recipients(case, _waiting_roles(kind, case.status)),
                               f"提醒：{kind.label} #{case.pk} 将于 {case.due_on:%Y-%m-%d} 到期（{case.status}）")
                    sent += len(cases)
    return sent


def mark_overdue(today: dt.date | None = None) -> int:
    """Mark open cases past their due date as overdue, and escalate those past the kind's escalation line.

    Each is a ledger entry (a workflow decision) and a notification; returns the number of cases changed.
    """
    today = today or clock.today()
    changed = 0
    for kind in kinds.all_kinds():
        changed += _mark(kind, Q(due_on__lt=today, overdue_at__isnull=True), "overdue_at", "workflow.overdue",
                         lambda k, c: f"已逾期：{k.label} #{c.pk} 的办理期限 {c.due_on:%Y-%m-%d} 已过（{c.status}）",
                         None)
        line = shift(kind, today, -kind.escalate_after)
        changed += _mark(kind, Q(due_on__lt=line, escalated_at__isnull=True), "escalated_at", "workflow.escalate",
                         lambda k, c: f"督办：{k.label} #{c.pk} 逾期未办结（期限 {c.due_on:%Y-%m-%d}，{c.status}）",
                         set(kind.escalation_roles))
    return changed


def _mark(kind: Kind, due: Q, column: str, action: str, text: Any, extra_roles: set[Role] | None) -> int:
    total = 0
    while True:
        with transaction.atomic():
            cases = _claim(Case.objects.filter(due, kind=kind.code, closed_at__isnull=True))
            if not cases:
                return total
            now = clock.now()
            for case in cases:
                setattr(case, column, now)
                case.updated_at = now
            update_with_entries(Case, cases, [column, "updated_at"], actor=SYSTEM, action=action,
                                reason=f"办理期限已过（{kind.label}）")
            for case in cases:
                roles = _waiting_roles(kind, case.status) | (extra_roles or set())
                notify(case, recipients(case, roles), text(kind, case))
            total += len(cases)


# --- the inbox ------------------------------------------------------------------------------------

def waiting_filter(user: Any) -> Q | None:
    """Open cases of a state the user may act on, or owed by the user's side; None means none."""
    role = access.role_of(user)
    if role is None:
        return None
    q = Q(pk__in=[])
    for kind in kinds.all_kinds():
        states = [s for s in kind.states if Role(role) in _waiting_roles(kind, s)]
        if states:
            q |= Q(kind=kind.code, status__in=states)
    return q


@dataclass(frozen=True)
class Inbox:
    cases: QuerySet[Case]  # annotated ``waits_on_me``: the user may act on it or owes it (else: follows it)
    total: int
    overdue: int
    by_kind: list[tuple[str, int]]
    unread: int
    following: int = 0


def inbox(user: Any) -> Inbox:
    """What waits for ``user``: open cases in scope that the user may act on or owes, and the open cases it
    follows (an objection or repair about its record, which a department owes), with counts."""
    waiting, scope, followed = waiting_filter(user), access.case_scope(user), followed_filter(user)
    mine = waiting & scope if waiting is not None and scope is not None else None
    parts = [q for q in (mine, followed) if q is not None]
    wanted = parts[0] | parts[1] if len(parts) == 2 else parts[0] if parts else Q(pk__in=[])
    waits = models.Case(models.When(mine, then=models.Value(True)), default=models.Value(False),
                        output_field=models.BooleanField()) if mine is not None else models.Value(False)
    cases = (Case.objects.filter(wanted, closed_at__isnull=True).select_related("debtor_org", "debtor_person")
             .annotate(waits_on_me=waits))
    labels = {k.code: k.label for k in kinds.all_kinds()}
    counted = {row["kind"]: (row["n"], row["late"], row["followed"]) for row in cases.order_by().values("kind").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(overdue_at__isnull=False, waits_on_me=True)),
        followed=Count("pk", filter=Q(waits_on_me=False)))}
    unread = notifications_of(user).filter(read_at__isnull=True).count()
    return Inbox(cases=cases.order_by("-waits_on_me", "due_on", "pk"), total=sum(n for n, _, _ in counted.values()),
                 overdue=sum(late for _, late, _ in counted.values()),
                 by_kind=[(labels.get(k, k), n) for k, (n, _, _) in sorted(counted.items())], unread=unread,
                 following=sum(f for _, _, f in counted.values()))
