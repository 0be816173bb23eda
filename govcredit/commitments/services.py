"""Business rules of PPP projects (K2) and investment promises (K4). Each function is one transaction and
writes its ledger entries (``ledger.services.save_with_entry``): nothing here changes a row without one.

* A project moves through 识别 → 准备 → 采购 → 执行 → 移交 one stage at a time; each stage names the
  government-side post responsible for it, and its duties (approvals, payments under the contract,
  disclosures) each have a due date and are registered in the generic obligations register.
* A promise belongs to the organisation that made it: nothing here changes it when the person in the
  responsible post changes. It changes only through :func:`change_promise`, which refuses without the
  legal basis and the procedure followed, and keeps the old and new terms; compensation to the investor
  is recorded by :func:`record_compensation`.
* An investor follows a promise by its number and the query code shown once when it was registered (the
  obligations register issues it and keeps only its SHA-256): :func:`find_by_code`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govcredit.accounts.models import User
from govcredit.core import clock
from govcredit.core.errors import Conflict, DomainError
from govcredit.ledger.services import Actor, save_with_entry
from govcredit.subjects.identifiers import IdentifierError, parse_credit_code
from govcredit.subjects.models import Organization

from . import link
from .models import (
    OPEN_PROMISE,
    STAGE_ORDER,
    Compensation,
    Duty,
    DutyKind,
    DutyStatus,
    PPPProject,
    ProjectStage,
    Promise,
    PromiseChange,
    PromiseKind,
    PromiseStatus,
    Stage,
)
from .responsibility import Holder, holders_on

MSG_NOT_FOUND = gettext_noop("未找到该编号的承诺，或查询码不正确")  # in the language of the page


class CommitmentError(DomainError):
    """A refused act on a project, a duty or a promise."""


def _required(value: str, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise CommitmentError(_("请填写%(label)s") % {"label": label}, field=field)
    return text


def _credit_code(value: str, field: str) -> str:
    """An optional 统一社会信用代码, checked by GB 32100 when given."""
    text = value.strip().upper()
    if not text:
        return ""
    try:
        return parse_credit_code(text).code
    except IdentifierError as e:
        raise CommitmentError(str(e.message), field=field) from None


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")


def _given_number(value: str, model: type[PPPProject] | type[Promise], field: str) -> str:
    """A number the project or promise already carries (the district's register, the national PPP project
    library): letters, digits and ``-``, at most 20; upper-cased, since the investor types it to follow it."""
    number = value.strip().upper()
    if not NUMBER.fullmatch(number):
        raise CommitmentError(_("编号只能由字母、数字和“-”组成，不超过 20 位"), field=field)
    if model.objects.filter(number=number).exists():
        raise Conflict(_("编号 %(number)s 已被使用") % {"number": number}, field=field)
    return number


def _free_number(model: type[PPPProject] | type[Promise], stem: str) -> str:
    """The next number after ``stem`` that no row holds (numbers given on import may have taken some)."""
    n = model.objects.filter(number__startswith=stem).count() + 1
    while model.objects.filter(number=f"{stem}{n:04d}").exists():
        n += 1
    return f"{stem}{n:04d}"


# --- PPP projects ------------------------------------------------------------------------------------

def _project_number() -> str:
    return _free_number(PPPProject, f"PPP{clock.today():%Y}")


@transaction.atomic
def create_project(*, name: str, org: Organization, responsible_post: str, partner_name: str = "",
                   partner_code: str = "", investment: Decimal = Decimal(0), started_on: dt.date | None = None,
                   responsible_org: Organization | None = None, number: str = "", actor: Actor) -> PPPProject:
    """Register a project in its first stage (识别), with the post responsible for that stage. ``number`` is
    the number it already carries (an import); a new one is given otherwise."""
    now = clock.now()
    number = _given_number(number, PPPProject, "number") if number.strip() else _project_number()
    project = PPPProject(number=number, name=_required(name, "name", _("项目名称")), org=org,
                         partner_name=partner_name.strip(), partner_code=_credit_code(partner_code, "partner_code"),
                         investment=investment, stage=Stage.IDENTIFY, created_at=now, updated_at=now)
    save_with_entry(project, actor=actor, action="commitments.project.create", reason=_("登记PPP项目"))
    stage = ProjectStage(project=project, stage=Stage.IDENTIFY, responsible_org=responsible_org or org,
                         responsible_post=_required(responsible_post, "responsible_post", _("责任岗位")),
                         started_on=started_on or clock.today())
    save_with_entry(stage, actor=actor, action="commitments.stage.start", reason=_("项目进入识别阶段"))
    return project


def current_stage(project: PPPProject) -> ProjectStage | None:
    return project.stages.filter(ended_on__isnull=True).order_by("-started_on", "-pk").first()


@transaction.atomic
def advance_stage(project: PPPProject, *, responsible_post: str, started_on: dt.date, actor: Actor, reason: str,
                  responsible_org: Organization | None = None) -> PPPProject:
    """Close the current stage and open the next one, with its responsible post. After 移交 the project is
    已移交. Open duties of the stage that ends stay open: they are still owed."""
    locked = PPPProject.objects.select_for_update().get(pk=project.pk)
    if locked.stage == Stage.DONE:
        raise Conflict(_("项目已移交，没有下一阶段"))
    reason = _required(reason, "reason", _("理由"))
    current = current_stage(locked)
    if current is not None:
        if started_on < current.started_on:
            raise CommitmentError(_("下一阶段的开始日期不能早于本阶段开始日期 %(day)s") % {"day": current.started_on},
                                  field="started_on")
        current.ended_on = started_on
        save_with_entry(current, actor=actor, action="commitments.stage.end", reason=reason)
    index = STAGE_ORDER.index(Stage(locked.stage))
    if index + 1 < len(STAGE_ORDER):
        nxt = STAGE_ORDER[index + 1]
        stage = ProjectStage(project=locked, stage=nxt, responsible_org=responsible_org or locked.org,
                             responsible_post=_required(responsible_post, "responsible_post", _("责任岗位")),
                             started_on=started_on)
        save_with_entry(stage, actor=actor, action="commitments.stage.start", reason=reason)
        locked.stage = nxt
    else:
        locked.stage = Stage.DONE
    locked.updated_at = clock.now()
    save_with_entry(locked, actor=actor, action="commitments.project.stage", reason=reason)
    project.stage, project.updated_at = locked.stage, locked.updated_at
    return project


@transaction.atomic
def add_duty(project: PPPProject, *, kind: str, title: str, basis: str, due_on: dt.date, actor: Actor,
             amount: Decimal | None = None, stage: ProjectStage | None = None) -> Duty:
    """A duty of the government side in the current stage (or the stage given), registered as an obligation."""
    if kind not in DutyKind.values:
        raise CommitmentError(_("义务类别无效"), field="kind")
    stage = stage or current_stage(project)
    if stage is None or stage.project_id != project.pk:
        raise Conflict(_("项目没有进行中的阶段，不能登记义务"))
    duty = Duty(project=project, stage=stage, kind=kind, title=_required(title, "title", _("义务内容")),
                basis=_required(basis, "basis", _("依据")), due_on=due_on, amount=amount)
    save_with_entry(duty, actor=actor, action="commitments.duty.create", reason=_("登记PPP项目政府方义务"))
    link.register_duty(duty, actor)
    return duty


@transaction.atomic
def fulfil_duty(duty: Duty, *, done_on: dt.date, actor: Actor, note: str = "") -> Duty:
    """The duty is done (for a disclosure: published on ``done_on``)."""
    locked = Duty.objects.select_for_update().get(pk=duty.pk)
    if locked.status != DutyStatus.OPEN:
        raise Conflict(_("该义务已是“%(status)s”，不能再登记履行") % {"status": locked.get_status_display()})
    if done_on > clock.today():
        raise CommitmentError(_("履行日期不能晚于今天"), field="done_on")
    locked.status, locked.done_on, locked.note = DutyStatus.DONE, done_on, note.strip()
    save_with_entry(locked, actor=actor, action="commitments.duty.fulfil",
                    reason=_("履行日期 %(day)s") % {"day": done_on.isoformat()})
    link.settle_duty(locked, actor)
    duty.status, duty.done_on, duty.note = locked.status, locked.done_on, locked.note
    return duty


@dataclass(frozen=True)
class Performance:
    """The government side's performance of a project's duties."""

    total: int
    on_time: int
    late: int
    overdue: int
    open: int
    breached: int

    @property
    def rate(self) -> str:
        """Share of the duties already due that were done on time, as a percentage."""
        due = self.on_time + self.late + self.overdue + self.breached
        return "—" if due == 0 else f"{100 * self.on_time / due:.0f}%"


def performance(duties: list[Duty], today: dt.date | None = None) -> Performance:
    today = today or clock.today()
    on_time = sum(1 for d in duties if d.status == DutyStatus.DONE and d.done_on is not None and d.done_on <= d.due_on)
    late = sum(1 for d in duties if d.status == DutyStatus.DONE and d.done_on is not None and d.done_on > d.due_on)
    breached = sum(1 for d in duties if d.status == DutyStatus.BREACHED)
    overdue = sum(1 for d in duties if d.status == DutyStatus.OPEN and d.due_on < today)
    still = sum(1 for d in duties if d.status == DutyStatus.OPEN and d.due_on >= today)
    return Performance(len(duties), on_time, late, overdue, still, breached)


def duty_responsible(duty: Duty, day: dt.date | None = None) -> list[Holder]:
    """Who was responsible for the duty on ``day`` (default: its due date, the day it was breached if it was)."""
    return holders_on(duty.stage.responsible_org, duty.stage.responsible_post, day or duty.due_on)


@transaction.atomic
def mark_duty_breached(duty: Duty, *, actor: Actor, reason: str) -> Duty:
    """The duty was not performed (recorded when the credit office confirms the breach)."""
    locked = Duty.objects.select_for_update().get(pk=duty.pk)
    if locked.status != DutyStatus.OPEN:
        return duty
    locked.status = DutyStatus.BREACHED
    save_with_entry(locked, actor=actor, action="commitments.duty.breach", reason=_required(reason, "reason", _("理由")))
    duty.status = locked.status
    return duty


# --- investment promises --------------------------------------------------------------------------------

def _promise_number() -> str:
    return _free_number(Promise, f"ZS{clock.today():%Y%m%d}")


@dataclass(frozen=True)
class Registered:
    promise: Promise
    code: str  # shown once, for the investor to follow the promise on the public page


@transaction.atomic
def make_promise(*, org: Organization, investor_name: str, kind: str, terms: str, legal_basis: str, document: str,
                 promised_on: dt.date, due_on: dt.date, responsible_post: str, actor: Actor,
                 investor_code: str = "", contact: str = "", amount: Decimal | None = None,
                 number: str = "") -> Registered:
    """Register a promise (or contract clause) made to an investor; returns it with its one-time query code.
    ``number`` is the number it already carries (an import); a new one is given otherwise."""
    if kind not in PromiseKind.values:
        raise CommitmentError(_("承诺类别无效"), field="kind")
    if due_on < promised_on:
        raise CommitmentError(_("兑现期限不能早于承诺日期"), field="due_on")
    now = clock.now()
    promise = Promise(
        number=_given_number(number, Promise, "number") if number.strip() else _promise_number(), org=org, investor_name=_required(investor_name, "investor_name", _("投资方")),
        investor_code=_credit_code(investor_code, "investor_code"), contact=contact.strip(), kind=kind,
        terms=_required(terms, "terms", _("承诺内容")), legal_basis=_required(legal_basis, "legal_basis", _("法律政策依据")),
        document=_required(document, "document", _("合同或文件编号")), amount=amount, promised_on=promised_on,
        due_on=due_on, responsible_post=_required(responsible_post, "responsible_post", _("责任岗位")),
        created_at=now, updated_at=now)
    save_with_entry(promise, actor=actor, action="commitments.promise.create", reason=_("登记招商引资承诺"))
    return Registered(promise, link.register_promise(promise, actor))


def _lock(promise: Promise) -> Promise:
    locked: Promise = Promise.objects.select_for_update().get(pk=promise.pk)
    return locked


def _copy(target: Promise, source: Promise) -> None:
    for f in Promise._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


@transaction.atomic
def keep_promise(promise: Promise, *, kept_on: dt.date, actor: Actor, reason: str) -> Promise:
    """The promise was kept (兑现) on ``kept_on``."""
    locked = _lock(promise)
    if locked.status not in OPEN_PROMISE:
        raise Conflict(_("该承诺已是“%(status)s”") % {"status": locked.get_status_display()})
    if kept_on > clock.today():
        raise CommitmentError(_("兑现日期不能晚于今天"), field="kept_on")
    locked.status, locked.kept_on, locked.updated_at = PromiseStatus.KEPT, kept_on, clock.now()
    reason = _required(reason, "reason", _("说明"))
    save_with_entry(locked, actor=actor, action="commitments.promise.keep", reason=reason)
    link.keep_promise(locked, actor, reason)
    _copy(promise, locked)
    return promise


@transaction.atomic
def change_promise(promise: Promise, *, legal_basis: str, procedure: str, reason: str, decided_on: dt.date,
                   actor: Actor, new_terms: str = "", new_due_on: dt.date | None = None,
                   new_amount: Decimal | None = None, terminates: bool = False) -> PromiseChange:
    """Change (or end) a promise. Refused without the legal basis of the change and the procedure followed
    (the decision, the meeting minutes); the old and new terms are kept, and the promise's obligation
    follows the new due date. A new leader or a new person in the post is not a reason the rules accept by
    itself, so the reason alone is never enough."""
    legal_basis = _required(legal_basis, "legal_basis", _("变更的法律依据"))
    procedure = _required(procedure, "procedure", _("履行的程序"))
    reason = _required(reason, "reason", _("变更理由"))
    locked = _lock(promise)
    if locked.status not in OPEN_PROMISE:
        raise Conflict(_("该承诺已是“%(status)s”，不能再变更") % {"status": locked.get_status_display()})
    if decided_on > clock.today():
        raise CommitmentError(_("决定日期不能晚于今天"), field="decided_on")
    terms = new_terms.strip() or locked.terms
    due = new_due_on or locked.due_on
    if not terminates and due < locked.promised_on:
        raise CommitmentError(_("兑现期限不能早于承诺日期"), field="new_due_on")
    amount = locked.amount if new_amount is None else new_amount
    if not terminates and terms == locked.terms and due == locked.due_on and amount == locked.amount:
        raise CommitmentError(_("变更内容与原承诺相同"), field="new_terms")
    change = PromiseChange(promise=locked, legal_basis=legal_basis, procedure=procedure, reason=reason,
                           old_terms=locked.terms, new_terms=terms, old_due_on=locked.due_on, new_due_on=due,
                           old_amount=locked.amount, new_amount=amount, terminates=terminates, decided_on=decided_on,
                           recorded_by=_user(actor), recorded_at=clock.now())
    save_with_entry(change, actor=actor, action="commitments.promise.change", reason=reason)
    locked.terms, locked.due_on, locked.amount, locked.updated_at = terms, due, amount, clock.now()
    locked.status = PromiseStatus.ENDED if terminates else PromiseStatus.CHANGED
    why = _("%(basis)s；%(procedure)s：%(reason)s") % {"basis": legal_basis, "procedure": procedure, "reason": reason}
    save_with_entry(locked, actor=actor, action="commitments.promise.end" if terminates else "commitments.promise.amend",
                    reason=why)
    if terminates:
        link.end_promise(locked, actor, why)
    else:
        link.reschedule_promise(locked, actor, why)
    _copy(promise, locked)
    return change


@transaction.atomic
def record_compensation(promise: Promise, *, amount: Decimal, description: str, paid_on: dt.date, actor: Actor,
                        change: PromiseChange | None = None) -> Compensation:
    """Compensation paid (or agreed) to the investor for a change or a breach of the promise."""
    if amount <= 0:
        raise CommitmentError(_("补偿金额须大于零"), field="amount")
    if change is not None and change.promise_id != promise.pk:
        raise CommitmentError(_("所选变更不属于该承诺"), field="change")
    if paid_on > clock.today():
        raise CommitmentError(_("补偿日期不能晚于今天"), field="paid_on")
    row = Compensation(promise=promise, change=change, amount=amount,
                       description=_required(description, "description", _("补偿内容")), paid_on=paid_on,
                       recorded_by=_user(actor), recorded_at=clock.now())
    save_with_entry(row, actor=actor, action="commitments.compensation.record", reason=row.description[:200])
    return row


@transaction.atomic
def mark_promise_breached(promise: Promise, *, actor: Actor, reason: str) -> Promise:
    """The promise was broken (recorded when the credit office confirms the breach)."""
    locked = _lock(promise)
    if locked.status not in OPEN_PROMISE:
        return promise
    locked.status, locked.updated_at = PromiseStatus.BREACHED, clock.now()
    save_with_entry(locked, actor=actor, action="commitments.promise.breach", reason=_required(reason, "reason", _("理由")))
    _copy(promise, locked)
    return promise


def promise_responsible(promise: Promise, day: dt.date | None = None) -> list[Holder]:
    """Who held the responsible post on ``day`` (default: the due date)."""
    return holders_on(promise.org, promise.responsible_post, day or promise.due_on)


def find_by_code(number: str, code: str) -> Promise | None:
    """The promise with this number if ``code`` is its query code; None otherwise (the same answer for an
    unknown number and a wrong code: the register compares in constant time)."""
    return link.find_promise(number, code)
