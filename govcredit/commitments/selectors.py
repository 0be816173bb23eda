"""What each user may see of PPP projects, their duties and investment promises: one scope for pages, API,
exports and tests. The rule itself (which subtree) is the access policy's ``commitment_scope``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from govcredit.accounts import access
from govcredit.subjects.models import Organization, PostAssignment

from .models import OPEN_PROMISE, CommitmentImport, Duty, DutyStatus, ImportJob, PPPProject, Promise


def visible_projects(user: Any) -> QuerySet[PPPProject]:
    scope = access.commitment_scope(user)
    if scope is None:
        return PPPProject.objects.none()
    return PPPProject.objects.filter(scope).select_related("org")


def visible_duties(user: Any) -> QuerySet[Duty]:
    return Duty.objects.filter(project__in=visible_projects(user).values("pk")).select_related(
        "project", "project__org", "stage", "stage__responsible_org")


def visible_promises(user: Any) -> QuerySet[Promise]:
    scope = access.commitment_scope(user)
    if scope is None:
        return Promise.objects.none()
    return Promise.objects.filter(scope).select_related("org")


def managed_orgs(user: Any) -> QuerySet[Organization]:
    """The organisations for which the user may record projects and promises."""
    if not access.has(user, access.MANAGE_COMMITMENTS):
        return Organization.objects.none()
    scope = access.org_scope(user)
    return Organization.objects.none() if scope is None else Organization.objects.filter(scope)


def _holding(day: Any) -> QuerySet[PostAssignment]:
    """The post assignments of a promise's responsible post held on ``day`` (a date or an outer reference),
    newest first: the rule of ``obligations.services.responsible_on`` as a subquery, for whole lists."""
    return (PostAssignment.objects.filter(employer=OuterRef("org"), post=OuterRef("responsible_post"),
                                          start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day)).order_by("-start_date", "-pk"))


def with_holders(promises: QuerySet[Promise], today: dt.date) -> QuerySet[Promise]:
    """Each promise with who held its responsible post when it was made (``maker``) and today (``holder``,
    ``holder_since``): two subqueries, so a list costs the same queries however long it is."""
    made = _holding(OuterRef("promised_on"))
    now = _holding(today)
    return promises.annotate(maker=Subquery(made.values("person__name")[:1]),
                             holder=Subquery(now.values("person__name")[:1]),
                             holder_since=Subquery(now.values("start_date")[:1]))


def across_turnover(promises: QuerySet[Promise], today: dt.date) -> QuerySet[Promise]:
    """Promises still owed that were made before the current holder of their responsible post took it up:
    made under the previous leadership, owed by the organisation all the same."""
    rows = with_holders(promises, today).filter(status__in=list(OPEN_PROMISE))
    return rows.filter(**{"holder_since__gt": F("promised_on")})  # an annotation the stubs cannot see


def with_duty_counts(projects: QuerySet[PPPProject], today: dt.date) -> QuerySet[PPPProject]:
    """Each project with its open and overdue duties counted in the same query."""
    open_ = Q(duties__status=DutyStatus.OPEN)
    return projects.annotate(n_open=Count("duties", filter=open_),
                             n_overdue=Count("duties", filter=open_ & Q(duties__due_on__lt=today)))


def visible_imports(user: Any) -> QuerySet[CommitmentImport]:
    """Import runs and their error reports: the credit office reads all, a user those made in his organisation
    (by whoever imported then: the run's ``ImportJob.org``; a run made before runs had one, by its user's)."""
    if not access.has(user, access.MANAGE_COMMITMENTS):
        return CommitmentImport.objects.none()
    runs = CommitmentImport.objects.select_related("user")
    if access.role_of(user) in access.CITY_WIDE:
        return runs
    if not user.organization_id:
        return runs.none()
    return runs.filter(Q(job__org_id=user.organization_id)
                       | Q(job__isnull=True, user__organization_id=user.organization_id))


def visible_jobs(user: Any) -> QuerySet[ImportJob]:
    """Import runs (queued, running, finished): the credit office sees all, a user those of his organisation."""
    if not access.has(user, access.MANAGE_COMMITMENTS):
        return ImportJob.objects.none()
    jobs = ImportJob.objects.select_related("user", "org", "run")
    if access.role_of(user) in access.CITY_WIDE:
        return jobs
    return jobs.filter(org_id=user.organization_id) if user.organization_id else jobs.none()
