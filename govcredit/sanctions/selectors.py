"""What each user may see of joint rewards and punishments: one scope used by pages, API and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from govcredit.accounts import access
from govcredit.accounts.models import Role
from govcredit.workdays.services import add_workdays
from govcredit.workflow.models import Case
from govcredit.workflow.selectors import visible_cases

from .models import AppliedMeasure, Effect, FaultToleranceApplication, MeasureStatus
from .workflow import FAULT_TOLERANCE, RECTIFICATION

DUE_SOON_WORKDAYS = 3


def measure_scope(user: Any) -> Q | None:
    """The archive's rule applied to measures: city-wide roles all, a subtree its subjects, a subject its own."""
    role = access.role_of(user)
    if role in access.CITY_WIDE:
        return Q()
    if role in access.SUBTREE and user.organization_id:
        path = user.organization.path
        return Q(subject_org__path__startswith=path) | Q(subject_person__employer__path__startswith=path)
    if role == Role.SUBJECT:
        if user.civil_servant_id:
            return Q(subject_person_id=user.civil_servant_id)
        if user.organization_id:
            return Q(subject_org_id=user.organization_id)
    return None


def visible_measures(user: Any) -> QuerySet[AppliedMeasure]:
    scope = measure_scope(user)
    if scope is None:
        return AppliedMeasure.objects.none()
    return AppliedMeasure.objects.filter(scope).select_related(
        "measure_version__measure_type", "rule_version__rule", "record__record_type", "subject_org", "subject_person")


def visible_applications(user: Any) -> QuerySet[FaultToleranceApplication]:
    cases = visible_cases(user).filter(kind=FAULT_TOLERANCE.code)
    return FaultToleranceApplication.objects.filter(case__in=cases).select_related(
        "case", "record__record_type", "measure__measure_version__measure_type", "applicant", "finding")


def visible_rectifications(user: Any) -> QuerySet[Case]:
    """Rectification cases in the user's scope, late ones first, then by due date."""
    return visible_cases(user).filter(kind=RECTIFICATION.code).select_related("debtor_org__parent").order_by(
        "closed_at", "overdue_at", "due_on", "pk")


def rectification_lists(user: Any, today: dt.date) -> dict[str, QuerySet[Case]]:
    """Open, due-soon (within ``DUE_SOON_WORKDAYS`` working days) and overdue rectifications (past the due
    date, or marked overdue by the workflow job)."""
    open_cases = visible_rectifications(user).filter(closed_at__isnull=True)
    soon = add_workdays(today, DUE_SOON_WORKDAYS).date
    late = overdue(today)
    return {"open": open_cases, "due_soon": open_cases.filter(due_on__gte=today, due_on__lte=soon).exclude(late),
            "overdue": open_cases.filter(late)}


def overdue(today: dt.date) -> Q:
    return Q(overdue_at__isnull=False) | Q(due_on__lt=today)


def criticism_list(today: dt.date) -> QuerySet[AppliedMeasure]:
    """Departments under 公开通报批评 now: public (no personal data: organisations only)."""
    return (AppliedMeasure.objects.filter(measure_version__effect=Effect.CRITICISM, status=MeasureStatus.IN_FORCE,
                                          subject_org__isnull=False, subject_person__isnull=True,
                                          start_on__lte=today, end_on__gt=today)
            .select_related("subject_org", "record__record_type", "measure_version__measure_type")
            .order_by("-start_on", "-pk"))
