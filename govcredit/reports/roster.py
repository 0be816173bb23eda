"""核查比对: a roster exported from the civil-servant personnel database against the credit system.

Differences become :class:`~.models.RosterFinding` rows: people on the roster the credit system lacks, and
the reverse (active staff of the roster's employers who are not on it), differing employer, post, rank or
status, and invalid ID numbers. The credit office reconciles each (register the person, record a post
change, or dismiss with a reason), every step a ledger entry. A difference is known by its fingerprint,
so running the same roster again reports nothing new.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.core import clock, crypto
from govcredit.ledger.services import create_with_entries, save_with_entry
from govcredit.subjects.identifiers import IdentifierError, mask_id_number, parse_id_number
from govcredit.subjects.models import CivilServant, Organization, ServantStatus
from govcredit.subjects.services import change_post, find_person_by_id_number, register_civil_servant

from .models import FindingKind, FindingStatus, RosterCheck, RosterFinding
from .tables import read_table

HEADERS = {
    "name": ("姓名",),
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "employer": ("工作单位", "单位名称", "单位"),
    "post": ("职务",),
    "rank": ("职级",),
    "status": ("状态", "在职状态", "人员状态"),
}
COMPARED = (("employer", FindingKind.EMPLOYER), ("post", FindingKind.POST), ("rank", FindingKind.RANK),
            ("status", FindingKind.STATUS))


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _ours(person: CivilServant, key: str) -> str:
    return person.employer.name if key == "employer" else str(getattr(person, key))


def compare(user: User, data: bytes, file_name: str) -> RosterCheck:
    """Read the roster, record the differences not reported before, and return the check."""
    access.require(user, access.RECONCILE_ROSTER)
    table = read_table(data, file_name, HEADERS, required={"name", "id_number", "employer"})
    found: list[RosterFinding] = []
    seen: set[int] = set()
    employers: set[str] = set()

    def finding(kind: str, key: str, row: int | None, name: str, **fields: Any) -> None:
        found.append(RosterFinding(kind=kind, fingerprint=_fingerprint(kind, key, fields.get("ours", ""),
                                                                       fields.get("theirs", "")),
                                   row=row, name=name[:50], **fields))

    for row, cells in table.rows:
        values = {key: table.cell(cells, key) for key in HEADERS}
        name, number = values["name"], values["id_number"].upper()
        employers.add(values["employer"])
        try:
            parse_id_number(number)
        except IdentifierError as e:
            finding(FindingKind.INVALID_ID, f"{number}|{name}", row, name, id_masked=mask_id_number(number)[:18],
                    theirs=e.message[:200], roster=values | {"id_number": mask_id_number(number)})
            continue
        person = find_person_by_id_number(number)
        masked = mask_id_number(number)
        if person is None:
            finding(FindingKind.MISSING_HERE, crypto.blind_index(number), row, name, id_masked=masked,
                    id_cipher=crypto.encrypt(number), roster=values | {"id_number": masked},
                    theirs=f"{values['employer']} {values['post']}".strip())
            continue
        seen.add(person.pk)
        for key, kind in COMPARED:
            theirs = values[key]
            if theirs and theirs != _ours(person, key):
                finding(kind, str(person.pk), row, person.name, person=person, id_masked=person.id_masked,
                        ours=_ours(person, key)[:200], theirs=theirs[:200], roster=values | {"id_number": masked})
    missing = (CivilServant.objects.filter(employer__name__in=employers, status=ServantStatus.ACTIVE)
               .exclude(pk__in=seen).select_related("employer").order_by("employer__path", "name"))
    for person in missing:
        finding(FindingKind.MISSING_THERE, str(person.pk), None, person.name, person=person,
                id_masked=person.id_masked, ours=f"{person.employer.name} {person.post}")
    known = dict(RosterFinding.objects.filter(fingerprint__in=[f.fingerprint for f in found])
                 .values_list("fingerprint", "status"))
    new = [f for f in found if f.fingerprint not in known]
    new = list({f.fingerprint: f for f in new}.values())  # a roster listing a person twice: one finding
    with transaction.atomic():
        check = RosterCheck.objects.create(
            user=user, file_name=file_name[:200], rows=len(table.rows), new_findings=len(new),
            still_open=sum(1 for f in found if known.get(f.fingerprint) == FindingStatus.OPEN),
            created_at=clock.now())
        for f in new:
            f.check_run = check
        create_with_entries(RosterFinding, new, actor=user, action="roster.finding",
                            reason=f"人事库核查比对：{file_name[:100]}")
    return check


def _employer(name: str) -> Organization:
    matches: list[Organization] = list(Organization.objects.filter(name=name)[:2])
    if len(matches) != 1:
        raise ValidationError(_("名册中的工作单位“%(n)s”在信用系统中%(why)s：请先登记或改正单位")
                              % {"n": name, "why": _("不存在") if not matches else _("有同名")})
    return matches[0]


def resolve(user: User, finding: RosterFinding, *, action: str, reason: str) -> RosterFinding:
    """Reconcile one difference: ``register`` the missing person, record a ``post`` change from the roster,
    or ``dismiss`` it; the other open differences of the same person in the same check close with it."""
    access.require(user, access.RECONCILE_ROSTER)
    if finding.status != FindingStatus.OPEN:
        raise ValidationError(_("该差异已处理（%(s)s）") % {"s": finding.get_status_display()})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写处理说明")})
    actor, values = user.get_username(), finding.roster
    with transaction.atomic():
        if action == "register" and finding.kind == FindingKind.MISSING_HERE:
            finding.person = register_civil_servant(
                name=values["name"], id_number=crypto.decrypt(finding.id_cipher), employer=_employer(values["employer"]),
                post=values.get("post") or "—", rank=values.get("rank", ""), actor=user, reason=reason)
            status = FindingStatus.REGISTERED
        elif action == "post" and finding.kind in {k for _key, k in COMPARED} and finding.person is not None:
            person = finding.person
            employer = _employer(values["employer"]) if values.get("employer") else person.employer
            status_value = values.get("status") or person.status
            if status_value not in ServantStatus.values:
                raise ValidationError(_("名册中的状态“%(s)s”不是公务员状态") % {"s": status_value})
            change_post(person, employer=employer, post=values.get("post") or person.post,
                        rank=values.get("rank") or person.rank, status=status_value, effective=clock.today(),
                        actor=user, reason=reason)
            status = FindingStatus.POST_CHANGED
        elif action == "dismiss":
            status = FindingStatus.DISMISSED
        else:
            raise ValidationError(_("该差异不能这样处理"))
        siblings = [finding]
        if status == FindingStatus.POST_CHANGED:
            siblings += list(RosterFinding.objects.filter(check_run_id=finding.check_run_id, person=finding.person,
                                                          status=FindingStatus.OPEN).exclude(pk=finding.pk))
        for item in siblings:
            item.status, item.resolution, item.resolved_by, item.resolved_at = status, reason.strip()[:300], actor, \
                clock.now()
            if item is finding or item.person_id is None:
                item.person = finding.person
            save_with_entry(item, actor=user, action="roster.resolve", reason=f"{status}：{reason.strip()}")
    return finding
