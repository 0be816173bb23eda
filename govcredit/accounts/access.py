"""Who may see and change what. Every view and API handler asks these functions, nothing else.

Scope is an organisation's subtree: a user of 玄武区 sees 玄武区 and everything below it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from govcredit.subjects.models import CivilServant, Organization

from .models import Role

CITY_WIDE = {Role.CREDIT_OFFICE, Role.PERSONNEL}
SUBTREE = {Role.SUBMITTER, Role.DISTRICT}
READ_SUBJECTS = CITY_WIDE | SUBTREE | {Role.SUBJECT}
EDIT_SUBJECTS = {Role.CREDIT_OFFICE, Role.DISTRICT}
WRITE_RECORDS = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT}
CHANGE_RECORD_STATUS = {Role.CREDIT_OFFICE}
FULL_ID_NUMBERS = {Role.CREDIT_OFFICE, Role.PERSONNEL}
MANAGE_CATALOG = {Role.CREDIT_OFFICE}
READ_CATALOG = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.PERSONNEL, Role.DISTRICT}
VERIFY_LEDGER = {Role.CREDIT_OFFICE}
# 查询与报告: archive queries with a stated purpose, credit reports, the audit of every query
QUERY_ARCHIVES = {Role.PERSONNEL, Role.CREDIT_OFFICE}
ISSUE_REPORTS = {Role.PERSONNEL, Role.CREDIT_OFFICE}
AUDIT_QUERIES = {Role.CREDIT_OFFICE}
RECONCILE_ROSTER = {Role.CREDIT_OFFICE}  # 核查比对 with the civil-servant personnel database
READ_EDUCATION = {Role.CREDIT_OFFICE, Role.PERSONNEL, Role.DISTRICT, Role.SUBMITTER}
# Objections and credit repairs: a subject files them about its own records; the department that submitted
# the record (its subtree) and the credit office decide; the internal readers see those in their scope.
FILE_REMEDIES = {Role.SUBJECT}
DECIDE_REMEDIES = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT}
READ_REMEDIES = READ_SUBJECTS


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return str(user.role)


def has(user: Any, roles: set[Role]) -> bool:
    return role_of(user) in roles


def require(user: Any, roles: set[Role]) -> None:
    if not has(user, roles):
        raise PermissionDenied("您的角色无权进行此操作")


def visible_orgs(user: Any) -> QuerySet[Organization]:
    role = role_of(user)
    if role in CITY_WIDE:
        return Organization.objects.all()
    if role in SUBTREE and user.organization_id:
        return Organization.objects.filter(path__startswith=user.organization.path)
    if role == Role.SUBJECT and user.organization_id and not user.civil_servant_id:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def visible_people(user: Any) -> QuerySet[CivilServant]:
    role = role_of(user)
    if role in CITY_WIDE:
        return CivilServant.objects.all()
    if role in SUBTREE and user.organization_id:
        return CivilServant.objects.filter(employer__path__startswith=user.organization.path)
    if role == Role.SUBJECT and user.civil_servant_id:
        return CivilServant.objects.filter(pk=user.civil_servant_id)
    return CivilServant.objects.none()


def record_scope(user: Any) -> Q | None:
    """A filter on CreditRecord for what the user may read; None means nothing."""
    role = role_of(user)
    if role in CITY_WIDE:
        return Q()
    if role in SUBTREE and user.organization_id:
        path = user.organization.path
        return (Q(subject_org__path__startswith=path) | Q(subject_person__employer__path__startswith=path)
                | Q(issuing_org__path__startswith=path))
    if role == Role.SUBJECT:
        if user.civil_servant_id:
            return Q(subject_person_id=user.civil_servant_id)
        if user.organization_id:
            return Q(subject_org_id=user.organization_id)
    return None


def can_edit_org(user: Any, org: Organization) -> bool:
    return has(user, EDIT_SUBJECTS) and visible_orgs(user).filter(pk=org.pk).exists()


def can_write_records_for(user: Any, org: Organization) -> bool:
    """May the user submit records issued by ``org`` (its own organisation or one in its subtree)?"""
    return has(user, WRITE_RECORDS) and visible_orgs(user).filter(pk=org.pk).exists()


def can_see_full_id(user: Any) -> bool:
    """May the user ask for a full ID number (each time with a purpose, logged: reports.reveal_id_number)?"""
    return has(user, FULL_ID_NUMBERS)


# Rejected intake rows as they were sent (to be fixed and uploaded again) are the credit office's work on
# submitted data; everyone else, the personnel office included, sees their ID numbers masked.
SUBMITTED_IDS = {Role.CREDIT_OFFICE}


def can_see_submitted_ids(user: Any) -> bool:
    return has(user, SUBMITTED_IDS)
def can_decide_remedies(user: Any) -> bool:
    """May the user take the department's steps on objections and repairs (within the case's scope)?"""
    return has(user, DECIDE_REMEDIES)


def can_file_remedies(user: Any) -> bool:
    """May the user file objections and repair applications (about records in its own scope)?"""
    return has(user, FILE_REMEDIES)
