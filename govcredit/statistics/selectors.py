"""Which 双公示 figures a user may read: the one scope of the internal page, its export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from govcredit.accounts import access
from govcredit.subjects.models import Organization

CITY_WIDE = "全市"


@dataclass(frozen=True)
class FigureScope:
    """A filter on the issuing organisation of facts and monthly figures, and whose subtree it is."""

    filter: Q
    org: Organization | None  # None: the whole city

    @property
    def label(self) -> str:
        """The scope as written into reports, files and API answers (data: always Chinese)."""
        return CITY_WIDE if self.org is None else f"{self.org.name}及下级单位"


def visible_figures(user: Any) -> FigureScope | None:
    """The figures ``user`` may read (policy: ``access.statistics_scope``); None when none."""
    scope = access.statistics_scope(user)
    if scope is None:
        return None
    return FigureScope(scope, None if scope == Q() else user.organization)
