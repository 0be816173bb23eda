"""The project's one clock.

Every service that needs "now" or "today" asks this module, never the machine's clock directly
(ruff's banned-API rule enforces it). Tests move it with time-machine (see ``govcredit/conftest.py``),
so the suite behaves the same on any date, and the whole suite can be run as if on another day with
``GOVCREDIT_TEST_TODAY=YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC in storage)."""
    return timezone.now()  # noqa: TID251 - the one place that reads the machine's clock


def today() -> dt.date:
    """Today's date in the project's time zone (Asia/Shanghai)."""
    return local_date(now())


def local_date(moment: dt.datetime) -> dt.date:
    """The date of ``moment`` in the project's time zone."""
    return timezone.localdate(moment)  # noqa: TID251
