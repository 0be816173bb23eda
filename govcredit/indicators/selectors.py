"""Which subjects, values and warnings a user may see (policy: ``access.indicator_scope``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govcredit.accounts import access
from govcredit.subjects.models import Organization

from .models import Assessment, Indicator, IndicatorValue, IndicatorWarning


def visible_subjects(user: Any) -> QuerySet[Organization]:
    scope = access.indicator_scope(user)
    if scope is None:
        return Organization.objects.none()
    return Organization.objects.filter(scope, depth=1, is_active=True).order_by("region_code", "path")


def _sub(user: Any) -> QuerySet[Organization]:
    return visible_subjects(user).values("pk")  # type: ignore[return-value]


def visible_values(user: Any) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(subject__in=_sub(user))


def visible_warnings(user: Any) -> QuerySet[IndicatorWarning]:
    return IndicatorWarning.objects.filter(subject__in=_sub(user))


def visible_assessments(user: Any) -> QuerySet[Assessment]:
    return Assessment.objects.filter(subject__in=_sub(user))


def public_indicators() -> QuerySet[Indicator]:
    """What the disclosure rule allows: indicators marked public (their values for districts)."""
    return Indicator.objects.filter(public=True)
