"""Deadlines count working days of the State Council calendar: across 国庆, make-up days count, and the
catalog's figures per record type replace the defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcredit.catalog.models import RecordType
from govcredit.catalog.services import publish_version
from govcredit.remedies import services
from govcredit.remedies.models import Objection
from govcredit.testing import City, on_day

from .conftest import PDF, statistics_record

pytestmark = pytest.mark.django_db


def _file_and_accept(city: City, time_machine: Any, filed_on: dt.date, accepted_on: dt.date) -> tuple[dt.date, dt.date]:
    time_machine.move_to(on_day(filed_on))
    objection = services.file_objection(statistics_record(city), ground="其他", reasons="有误", files=[],
                                        user=city.users["subject"]).objection
    assert objection is not None
    accept_due = objection.case.due_on
    assert objection.accept_due_on == accept_due
    time_machine.move_to(on_day(accepted_on))
    services.act_on_objection(objection, "accept", city.users["district"], "受理")
    objection.refresh_from_db()
    assert objection.case.due_on == objection.decide_due_on
    return accept_due, objection.case.due_on


def test_friday_before_national_day_2025_is_due_after_it(city: City, time_machine: Any) -> None:
    # 2025: 10/1–10/8 off; 9/28 (Sunday) and 10/11 (Saturday) are working days.
    accept_due, decide_due = _file_and_accept(city, time_machine, dt.date(2025, 9, 26), dt.date(2025, 9, 26))
    assert accept_due == dt.date(2025, 9, 28)  # the make-up Sunday is the next working day
    assert decide_due == dt.date(2025, 10, 10)  # 9/28, 9/29, 9/30, then 10/9, 10/10
    _, decide_due = _file_and_accept(city, time_machine, dt.date(2025, 9, 30), dt.date(2025, 10, 9))
    assert decide_due == dt.date(2025, 10, 15)  # 10/10, 10/11 (make-up Saturday), 10/13, 10/14, 10/15


def test_last_working_day_before_national_day_2026(city: City, time_machine: Any) -> None:
    # 2026: 9/25–9/27 and 10/1–10/7 off; 10/10 (Saturday) is a working day.
    accept_due, decide_due = _file_and_accept(city, time_machine, dt.date(2026, 9, 30), dt.date(2026, 10, 8))
    assert accept_due == dt.date(2026, 10, 8)
    assert decide_due == dt.date(2026, 10, 14)  # 10/9, 10/10 (make-up Saturday), 10/12, 10/13, 10/14


def test_extension_once_by_five_working_days(city: City, time_machine: Any) -> None:
    _, decide_due = _file_and_accept(city, time_machine, dt.date(2026, 9, 30), dt.date(2026, 10, 8))
    objection = Objection.objects.get()
    services.act_on_objection(objection, "extend", city.users["district"], "需向市统计局调取原始数据")
    objection.refresh_from_db()
    assert objection.decide_due_on == objection.case.due_on == dt.date(2026, 10, 21)
    assert objection.extension_reason == "需向市统计局调取原始数据"


@pytest.mark.time_machine(on_day(dt.date(2026, 9, 30)))
def test_repair_deadlines_and_catalog_figures(city: City) -> None:
    record = statistics_record(city)
    repair = services.apply_repair(record, user=city.users["subject"], corrected="已纠正", commitment=("c.pdf", PDF),
                                   files=[]).repair
    assert repair is not None and repair.accept_due_on == dt.date(2026, 10, 9)  # 2 working days: 10/8, 10/9
    version = record.type_version
    data = {k: getattr(version, k) for k in ("polarity", "source_category", "disclosure", "subject_kinds", "severities",
                                             "fields", "submitters", "batch_mode", "double_publicity", "description")}
    publish_version(RecordType.objects.get(code="tjzj"), {**data, "publication": {
        **version.publication, "objection": {"accept_days": 3, "decide_days": 7, "extend_days": 10}}}, actor="test")
    later = statistics_record(city)
    objection = services.file_objection(later, ground="其他", reasons="有误", files=[], user=city.users["subject"]).objection
    assert objection is not None and objection.accept_due_on == dt.date(2026, 10, 10)  # 10/8, 10/9, 10/10
