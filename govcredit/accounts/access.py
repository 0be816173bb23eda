"""Who may see and change what. Every view and API handler asks these functions, nothing else.

Scope is an organisation's subtree: a user of 玄武区 sees 玄武区 and everything below it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from govcredit.subjects.models import Organization

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
MANAGE_USERS = {Role.CREDIT_OFFICE}
READ_BATCHES = WRITE_RECORDS | CITY_WIDE  # import batches: submitting roles, and the city-wide ones reading
# 双公示 statistics: the credit office city-wide, districts and submitters their subtree; refreshing them.
READ_STATISTICS = {Role.CREDIT_OFFICE, Role.DISTRICT, Role.SUBMITTER}
REFRESH_STATISTICS = {Role.CREDIT_OFFICE}
# The exchange: the shared query for departments (the credit office also reaches 内部 types), national
# exports, acknowledgements and the shared-query log.
SHARED_QUERY = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.PERSONNEL, Role.DISTRICT}
SHARED_QUERY_INTERNAL = {Role.CREDIT_OFFICE}
MANAGE_EXCHANGE = {Role.CREDIT_OFFICE}
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


def org_scope(user: Any) -> Q | None:
    """A filter on Organization for what the user may read; None means nothing
    (querysets: ``subjects.selectors.visible_orgs``)."""
    role = role_of(user)
    if role in CITY_WIDE:
        return Q()
    if role in SUBTREE and user.organization_id:
        return Q(path__startswith=user.organization.path)
    if role == Role.SUBJECT and user.organization_id and not user.civil_servant_id:
        return Q(pk=user.organization_id)
    return None


def person_scope(user: Any) -> Q | None:
    """A filter on CivilServant for what the user may read; None means nothing
    (querysets: ``subjects.selectors.visible_people``)."""
    role = role_of(user)
    if role in CITY_WIDE:
        return Q()
    if role in SUBTREE and user.organization_id:
        return Q(employer__path__startswith=user.organization.path)
    if role == Role.SUBJECT and user.civil_servant_id:
        return Q(pk=user.civil_servant_id)
    return None


def _in_org_scope(user: Any, org: Organization) -> bool:
    scope = org_scope(user)
    return scope is not None and Organization.objects.filter(scope, pk=org.pk).exists()


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


def case_scope(user: Any) -> Q | None:
    """A filter on workflow cases for what the user may see; None means none (querysets:
    ``workflow.selectors.visible_cases``). The archive's subtree rule applied to whoever owes the case:
    city-wide roles see every case, a district or a submitting department the cases owed by organisations
    and people in its subtree, a subject its own."""
    role = role_of(user)
    if role in CITY_WIDE:
        return Q()
    if role in SUBTREE and user.organization_id:
        path = user.organization.path
        return Q(debtor_org__path__startswith=path) | Q(debtor_person__employer__path__startswith=path)
    if role == Role.SUBJECT:
        if user.civil_servant_id:
            return Q(debtor_person_id=user.civil_servant_id)
        if user.organization_id:
            return Q(debtor_org_id=user.organization_id)
    return None


def statistics_scope(user: Any) -> Q | None:
    """A filter on a row's ``issuing_org`` for the statistics the user may read; None means none.

    The credit office reads the whole city; districts and submitters their subtree (personnel do not:
    the figures are about departments' publication, not about people)."""
    role = role_of(user)
    if role == Role.CREDIT_OFFICE:
        return Q()
    if role in READ_STATISTICS and user.organization_id:
        return Q(issuing_org__path__startswith=user.organization.path)
    return None


def can_edit_org(user: Any, org: Organization) -> bool:
    return has(user, EDIT_SUBJECTS) and _in_org_scope(user, org)


def can_write_records_for(user: Any, org: Organization) -> bool:
    """May the user submit records issued by ``org`` (its own organisation or one in its subtree)?"""
    return has(user, WRITE_RECORDS) and _in_org_scope(user, org)


def can_see_full_id(user: Any) -> bool:
    """May the user ask for a full ID number (each time with a purpose, logged: reports.reveal_id_number)?"""
    return has(user, FULL_ID_NUMBERS)


# Rejected intake rows as they were sent (to be fixed and uploaded again) are the credit office's work on
# submitted data; everyone else, the personnel office included, sees their ID numbers masked.
SUBMITTED_IDS = {Role.CREDIT_OFFICE}


def can_see_submitted_ids(user: Any) -> bool:
    return has(user, SUBMITTED_IDS)


# --- joint rewards and punishments (sanctions) ---------------------------------------------------------
MANAGE_MEASURES = {Role.CREDIT_OFFICE}
READ_MEASURES = READ_SUBJECTS
CHECK_ELIGIBILITY = {Role.CREDIT_OFFICE, Role.PERSONNEL, Role.SUBMITTER, Role.DISTRICT}
APPLY_FAULT_TOLERANCE = {Role.SUBJECT, Role.SUBMITTER, Role.DISTRICT}
DECIDE_FAULT_TOLERANCE = {Role.CREDIT_OFFICE}
READ_RECTIFICATION_LISTS = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT}


def can_manage_measures(user: Any) -> bool:
    return has(user, MANAGE_MEASURES)


def can_check_eligibility(user: Any) -> bool:
    """May the user ask whether a subject (in its scope) may take part in an honour, fund, pilot or promotion?"""
    return has(user, CHECK_ELIGIBILITY)


def can_apply_fault_tolerance(user: Any) -> bool:
    return has(user, APPLY_FAULT_TOLERANCE)


def can_record_fault_tolerance_finding(user: Any) -> bool:
    return has(user, DECIDE_FAULT_TOLERANCE)


def can_read_rectification_lists(user: Any) -> bool:
    return has(user, READ_RECTIFICATION_LISTS)


def can_decide_remedies(user: Any) -> bool:
    """May the user take the department's steps on objections and repairs (within the case's scope)?"""
    return has(user, DECIDE_REMEDIES)


def can_file_remedies(user: Any) -> bool:
    """May the user file objections and repair applications (about records in its own scope)?"""
    return has(user, FILE_REMEDIES)


# --- what the government owes: PPP projects and investment promises (commitments) -----------------------
# Readers see the projects and promises of organisations in their scope; the owing side (its subtree's
# submitters and district) and the credit office record stages, duties, changes and compensation.
READ_COMMITMENTS = {Role.CREDIT_OFFICE, Role.PERSONNEL, Role.SUBMITTER, Role.DISTRICT}
MANAGE_COMMITMENTS = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT}


def commitment_scope(user: Any) -> Q | None:
    """A filter on rows with an ``org`` (a project's implementing body, a promise's promising organisation)
    for what the user may read; None means none."""
    role = role_of(user)
    if role in CITY_WIDE:
        return Q()
    if role in SUBTREE and user.organization_id:
        return Q(org__path__startswith=user.organization.path)
    return None


def can_manage_commitments(user: Any, org: Organization) -> bool:
    """May the user record for ``org`` (its own organisation or one in its subtree; the credit office all)?"""
    return has(user, MANAGE_COMMITMENTS) and _in_org_scope(user, org)


# --- obligations (what the government owes: procurement payments, PPP duties, investment promises) -------
# Departments and districts see the obligations of their subtree, a department's own account its own; the
# credit office sees the city, ranks the departments and alone confirms or dismisses breach candidates.
READ_OBLIGATIONS = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT, Role.SUBJECT}
MANAGE_OBLIGATIONS = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT}
DECIDE_BREACH_CANDIDATES = {Role.CREDIT_OFFICE}
RANK_OBLIGATIONS = {Role.CREDIT_OFFICE}


def obligation_scope(user: Any) -> Q | None:
    """A filter on obligations (and contracts, through ``debtor_org``) for what the user may see; None: none."""
    role = role_of(user)
    if role == Role.CREDIT_OFFICE:
        return Q()
    if role in SUBTREE and user.organization_id:
        return Q(debtor_org__path__startswith=user.organization.path)
    if role == Role.SUBJECT and user.organization_id and not user.civil_servant_id:
        return Q(debtor_org_id=user.organization_id)
    return None


def can_decide_breach_candidates(user: Any) -> bool:
    return has(user, DECIDE_BREACH_CANDIDATES)


# A supplier files its complaint about non-payment on the public follow-up page; the credit office (the
# office that receives complaints) may file one on its behalf. Forwarding and answering follow the
# complaint kind's steps (``obligations/workflow.py``), each for its roles.
FILE_COMPLAINTS = {Role.CREDIT_OFFICE}


def can_manage_obligations(user: Any, org: Organization) -> bool:
    """May the user enter a buyer's contracts, deliveries, settlements, invoices and payments: its own
    organisation or one in its subtree (a department's data officer, a district), the credit office all?"""
    return has(user, MANAGE_OBLIGATIONS) and _in_org_scope(user, org)
# --- indicators and warnings (issue 15) ---------------------------------------------------------------
READ_INDICATORS = {Role.CREDIT_OFFICE, Role.DISTRICT, Role.SUBMITTER}
ENTER_INDICATORS = {Role.CREDIT_OFFICE, Role.DISTRICT, Role.SUBMITTER}
MANAGE_WARNING_RULES = {Role.CREDIT_OFFICE}
READ_DEBT_TENURES = {Role.CREDIT_OFFICE, Role.PERSONNEL}  # economic-responsibility audits


def indicator_scope(user: Any) -> Q | None:
    """A filter on the subject (an Organization: a district or a city department) of indicator values,
    assessments and warnings; None means none. The credit office reads the whole city; a district or a
    department its own subject only (a unit below it reads nothing)."""
    role = role_of(user)
    if role == Role.CREDIT_OFFICE:
        return Q()
    if role in READ_INDICATORS and user.organization_id:
        return Q(path__startswith=user.organization.path)
    return None


def can_enter_indicator_for(user: Any, org: Organization) -> bool:
    scope = indicator_scope(user)
    return (has(user, ENTER_INDICATORS) and scope is not None
            and Organization.objects.filter(scope, pk=org.pk).exists())
