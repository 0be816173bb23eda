"""Business rules for credit subjects: registering and changing organisations and civil servants."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from govcredit.core import clock, crypto
from govcredit.ledger.services import save_with_entry

from .identifiers import IdentifierError, mask_id_number, parse_credit_code, parse_id_number
from .models import CivilServant, Organization, PostAssignment, ServantStatus

security_log = logging.getLogger("govcredit.security")
# The answer to a number held outside the caller's scope: the same whoever holds it and wherever.
NEUTRAL_REFUSAL = "无法登记该身份证号，请联系信用管理部门核实"


def register_organization(*, name: str, credit_code: str, org_type: str, region_code: str,
                          parent: Organization | None, actor: str, reason: str = "") -> Organization:
    try:
        info = parse_credit_code(credit_code)
    except IdentifierError as e:
        raise ValidationError({"credit_code": e.message}) from None
    if Organization.objects.filter(credit_code=info.code).exists():
        raise ValidationError({"credit_code": f"统一社会信用代码 {info.code} 已登记"})
    org = Organization(name=name.strip(), credit_code=info.code, org_type=org_type, region_code=region_code, parent=parent)
    org.compute_path()
    org.full_clean()
    save_with_entry(org, actor=actor, action="subject.org.create", reason=reason or "登记单位")
    return org


def change_organization(org: Organization, changes: dict[str, Any], *, actor: str, reason: str) -> Organization:
    """Rename or retype an organisation; the tree position and credit code are fixed once registered."""
    allowed = {"name", "org_type", "region_code", "is_active"}
    bad = set(changes) - allowed
    if bad:
        raise ValidationError(f"不能修改：{'、'.join(sorted(bad))}")
    if not reason.strip():
        raise ValidationError({"reason": "请填写修改理由"})
    for key, value in changes.items():
        setattr(org, key, value)
    org.full_clean()
    save_with_entry(org, actor=actor, action="subject.org.update", reason=reason)
    return org


def find_person_by_id_number(number: str) -> CivilServant | None:
    return CivilServant.objects.filter(id_index=crypto.blind_index(number)).first()


def _refuse_registered(number: str, holder: CivilServant, visible: QuerySet[CivilServant] | None, *, actor: str,
                      employer: Organization) -> NoReturn:
    """Refuse a number that is already registered, without telling a caller that it exists outside its scope.

    Within the caller's scope (or for callers that see everyone) the refusal says what is wrong. Outside it,
    the caller gets :data:`NEUTRAL_REFUSAL`, which says nothing about whether or where the number is held, and
    the attempt goes to the security log, where the credit office can follow it up.
    """
    if visible is None or visible.filter(pk=holder.pk).exists():
        raise ValidationError({"id_number": "该身份证号已登记"})
    security_log.warning("subject.person.create refused: ID number %s is held outside the caller's scope "
                         "(actor=%s, employer=%s, holder=%s)", mask_id_number(number), actor, employer.credit_code,
                         holder.pk)
    raise ValidationError({"id_number": NEUTRAL_REFUSAL})


@transaction.atomic
def register_civil_servant(*, name: str, id_number: str, employer: Organization, post: str, rank: str = "",
                           start_date: dt.date | None = None, actor: str, reason: str = "",
                           visible: QuerySet[CivilServant] | None = None) -> CivilServant:
    """Register a civil servant and start the first post.

    ``visible`` is the set of civil servants the caller may see (``selectors.visible_people(user)`` for a page or
    an API call); None means everyone (commands, demo data). It decides how a number that is already
    registered is refused (see :func:`_refuse_registered`).
    """
    try:
        info = parse_id_number(id_number)
    except IdentifierError as e:
        raise ValidationError({"id_number": e.message}) from None
    holder = find_person_by_id_number(info.number)
    if holder is not None:
        _refuse_registered(info.number, holder, visible, actor=actor, employer=employer)
    person = CivilServant(name=name.strip(), employer=employer, post=post.strip(), rank=rank.strip(),
                          gender=info.gender, birth_date=info.birth_date)
    person.set_id_number(info.number)
    save_with_entry(person, actor=actor, action="subject.person.create", reason=reason or "登记公务员")
    assignment = PostAssignment(person=person, employer=employer, post=person.post, rank=person.rank,
                                status=ServantStatus.ACTIVE, start_date=start_date or clock.today())
    save_with_entry(assignment, actor=actor, action="subject.post.start", reason=reason or "任职")
    return person


@transaction.atomic
def change_post(person: CivilServant, *, employer: Organization, post: str, rank: str, status: str,
                effective: dt.date, actor: str, reason: str) -> CivilServant:
    """Move a civil servant to a new post (or status); the old post closes, history is kept."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写变动理由"})
    if status not in ServantStatus.values:
        raise ValidationError({"status": "状态无效"})
    current = person.posts.filter(end_date__isnull=True).order_by("-start_date").first()
    if current:
        if effective < current.start_date:
            raise ValidationError({"effective": f"生效日期不能早于现任职起始日期 {current.start_date}"})
        current.end_date = effective
        save_with_entry(current, actor=actor, action="subject.post.end", reason=reason)
    person.employer, person.post, person.rank, person.status = employer, post.strip(), rank.strip(), status
    save_with_entry(person, actor=actor, action="subject.person.update", reason=reason)
    if status in (ServantStatus.ACTIVE, ServantStatus.TRANSFERRED):
        nxt = PostAssignment(person=person, employer=employer, post=person.post, rank=person.rank, status=status,
                             start_date=effective)
        save_with_entry(nxt, actor=actor, action="subject.post.start", reason=reason)
    return person


def rename_civil_servant(person: CivilServant, *, name: str, actor: str, reason: str) -> CivilServant:
    if not reason.strip():
        raise ValidationError({"reason": "请填写修改理由"})
    person.name = name.strip()
    save_with_entry(person, actor=actor, action="subject.person.update", reason=reason)
    return person
