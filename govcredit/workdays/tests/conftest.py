from __future__ import annotations

from collections.abc import Iterator

import pytest

from govcredit.workdays import services


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # The per-process cache would otherwise carry a schedule from a rolled-back test into the next.
    services.clear_cache()
    yield
    services.clear_cache()


# Fictional 2027 schedule for tests only; it is NOT the State Council's notice.
SCHEDULE_2027 = """\
# 测试用虚构安排，并非国务院正式通知
日期,类型,名称
2027-01-01,holiday,元旦
2027-01-02,holiday,元旦
2027-01-03,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-13,holiday,春节
2027-02-20,workday,春节
"""


@pytest.fixture
def schedule_2027_text() -> str:
    return SCHEDULE_2027
