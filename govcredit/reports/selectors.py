"""What a user may see of the query log: the credit office all of it (the audit), a subject who looked
at its own archive. The filters of the audit page and its XLSX export are the same function."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from govcredit.accounts import access
from govcredit.accounts.models import Role

from .models import ArchiveQuery, CreditReport, ReviewBatch, RosterCheck


def audit_queries(user: Any, *, who: str = "", subject: str = "", purpose: str = "", action: str = "",
                  since: dt.date | None = None, until: dt.date | None = None) -> QuerySet[ArchiveQuery]:
    access.require(user, access.AUDIT_QUERIES)
    rows = ArchiveQuery.objects.select_related("subject_org", "subject_person")
    if who:
        rows = rows.filter(Q(user_name__icontains=who) | Q(user__username__icontains=who))
    if subject:
        rows = rows.filter(Q(subject_person__name__icontains=subject) | Q(subject_org__name__icontains=subject))
    if purpose:
        rows = rows.filter(purpose=purpose)
    if action:
        rows = rows.filter(action=action)
    if since:
        rows = rows.filter(at__date__gte=since)
    if until:
        rows = rows.filter(at__date__lte=until)
    return rows


def queries_about_me(user: Any) -> QuerySet[ArchiveQuery]:
    """A subject's view: who looked at its archive, why and when."""
    if not access.has(user, {Role.SUBJECT}):
        return ArchiveQuery.objects.none()
    rows = ArchiveQuery.objects.select_related("subject_org", "subject_person")  # each row names its subject
    if user.civil_servant_id:
        return rows.filter(subject_person_id=user.civil_servant_id)
    if user.organization_id:
        return rows.filter(subject_org_id=user.organization_id)
    return ArchiveQuery.objects.none()


def visible_reports(user: Any) -> QuerySet[CreditReport]:
    """Reports the user may open: the credit office all, the personnel office its own, a subject its own."""
    reports = CreditReport.objects.select_related("query", "subject_person", "subject_org")
    if access.has(user, access.AUDIT_QUERIES):
        return reports
    if access.has(user, access.ISSUE_REPORTS):
        return reports.filter(query__user=user)
    if access.has(user, {Role.SUBJECT}):
        if user.civil_servant_id:
            return reports.filter(subject_person_id=user.civil_servant_id)
        if user.organization_id:
            return reports.filter(subject_org_id=user.organization_id)
    return reports.none()


def visible_reviews(user: Any) -> QuerySet[ReviewBatch]:
    """Pre-appointment checks: the credit office sees all, the personnel office its own."""
    if access.has(user, access.AUDIT_QUERIES):
        return ReviewBatch.objects.all()
    if access.has(user, access.ISSUE_REPORTS):
        return ReviewBatch.objects.filter(user=user)
    return ReviewBatch.objects.none()


def visible_checks(user: Any) -> QuerySet[RosterCheck]:
    """Roster checks: the credit office's own work, nobody else's."""
    if not access.has(user, access.RECONCILE_ROSTER):
        return RosterCheck.objects.none()
    return RosterCheck.objects.all()
