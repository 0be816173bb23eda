"""The registry of computed indicators: each app registers, from its ``apps.py``, how to compute its
indicators for every subject and month at once (one or a few aggregate queries, never a query per subject).

The indicators app sits below the apps whose data it reads (statistics, sanctions, remedies, obligations):
it learns their computations here, as the workflow engine learns its kinds. A computation returns rows
``(subject id, month, numerator, denominator, inputs)``; the service turns them into values (a ratio with
no denominator becomes "no value" with the reason), writes only what changed as new versions, and keeps
the inputs in the value's source. ``records`` lists what is behind one value for the drill-down.

Overdue payments to suppliers (K1) are registered by ``obligations`` (``obligations/indicators.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Func, Value
from django.db.models.functions import Substr

from govcredit.subjects.models import Organization

# A credit code is 18 characters and the path ends each code with "/": a depth-1 organisation's path (a
# district or a city department: the indicators' subjects) is its first 38 characters.
SUBJECT_PATH_LENGTH = 38


@dataclass(frozen=True)
class Subjects:
    """The subjects of indicators (organisations at depth 1: districts and city departments), by path."""

    by_path: dict[str, int]

    def of(self, path: str | None) -> int | None:
        return self.by_path.get((path or "")[:SUBJECT_PATH_LENGTH])


def load_subjects(ids: Iterable[int] | None = None) -> Subjects:
    qs = Organization.objects.filter(depth=1, is_active=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return Subjects(dict(qs.values_list("path", "pk")))


def subject_path(field_path: str) -> Func:
    """An expression: the depth-1 prefix of an organisation path column (``issuing_org__path``, ...)."""
    return Substr(F(field_path), 1, SUBJECT_PATH_LENGTH)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def months_back(last: dt.date, n: int) -> list[dt.date]:
    """The ``n`` months ending with the month of ``last``, oldest first."""
    out = [month_start(last)]
    while len(out) < n:
        out.append(month_start(out[-1] - dt.timedelta(days=1)))
    return out[::-1]


Row = tuple[int, dt.date, Decimal | int | None, Decimal | int | None, dict[str, Any]]


@dataclass(frozen=True)
class Behind:
    """One thing behind a computed value: a label and, when it has a page, its URL name and arguments."""

    label: str
    url_name: str = ""
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Computation:
    indicator: str  # the code in data/indicators.json
    label: str  # what it counts, stored in the value's source (Chinese)
    compute: Callable[[list[dt.date], Subjects], Iterable[Row]]
    # ratio: numerator / denominator × 100; per100: × 100 as a rate per 100; count: the numerator itself
    kind: str = "count"
    records: Callable[[Organization, dt.date], list[Behind]] = field(default=lambda org, month: [])
    inputs_label: str = ""


_COMPUTATIONS: dict[str, Computation] = {}


def register_computation(computation: Computation) -> Computation:
    _COMPUTATIONS[computation.indicator] = computation
    return computation


def unregister_computation(code: str) -> None:
    _COMPUTATIONS.pop(code, None)


def computations() -> list[Computation]:
    return list(_COMPUTATIONS.values())


def computation(code: str) -> Computation | None:
    return _COMPUTATIONS.get(code)


def zero() -> Value:
    return Value(0)
