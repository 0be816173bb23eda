"""Many cases at once (a scheduled job's batch): the same cases, history, ledger entries and notices as one by
one, in a number of queries that does not grow with the batch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govcredit.ledger.hashing import entity_type_of
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import verify
from govcredit.testing import City, on_day
from govcredit.workflow import services
from govcredit.workflow.models import Case, CaseEvent, Notification

from .conftest import SAMPLE, open_sample

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))]


def _items(city: City, n: int) -> list[services.NewCase]:
    orgs = [city.orgs["xuanwu"], city.orgs["qinhuai"]]
    return [services.NewCase(basis_text=f"依据 {i}", debtor_org=orgs[i % 2], basis=orgs[i % 2]) for i in range(n)]


def test_open_cases_match_open_case(city: City) -> None:
    one = open_sample(city)
    notes_one = set(Notification.objects.filter(case=one).values_list("user_id", flat=True))
    cases = services.open_cases(SAMPLE.code, _items(city, 4), owed_to="市信用办", reason="立案")
    assert [c.basis_text for c in cases] == [f"依据 {i}" for i in range(4)]
    for case in cases:
        case.refresh_from_db()
        assert (case.status, case.due_on, case.opened_on) == (one.status, one.due_on, one.opened_on)
        assert case.basis_type_id == one.basis_type_id
        assert list(CaseEvent.objects.filter(case=case).values_list("from_state", "to_state")) == [("", "待整改")]
        entries = LedgerEntry.objects.filter(entity_type=entity_type_of(Case), entity_id=case.pk)
        assert list(entries.values_list("action", flat=True)) == ["workflow.open"]
    # the same people are told about a case of 玄武区 as one by one (and 秦淮区's district user is not)
    assert set(Notification.objects.filter(case=cases[0]).values_list("user_id", flat=True)) == notes_one
    assert set(Notification.objects.filter(case=cases[1]).values_list("user_id", flat=True)) != notes_one
    assert verify().ok


def test_open_cases_queries_do_not_grow(city: City) -> None:
    with CaptureQueriesContext(connection) as few:
        services.open_cases(SAMPLE.code, _items(city, 2), owed_to="市信用办", reason="立案")
    with CaptureQueriesContext(connection) as many:
        services.open_cases(SAMPLE.code, _items(city, 30), owed_to="市信用办", reason="立案")
    assert len(many) == len(few)


def test_close_cases_takes_the_system_step_only(city: City) -> None:
    submitted = [open_sample(city, status="已提交") for _ in range(3)]
    waiting = open_sample(city)
    with pytest.raises(ValidationError):
        services.close_cases([waiting], "已终止", "数据撤回")  # 待整改 → 已终止 is a person's step
    with pytest.raises(ValidationError):
        services.close_cases(submitted, "已终止", " ")
    assert services.close_cases(submitted, "已终止", "数据撤回") == 3
    assert services.close_cases(submitted, "已终止", "数据撤回") == 0  # closed cases are left alone
    for case in submitted:
        assert case.status == "已终止" and case.closed_at is not None
        case.refresh_from_db()
        assert case.status == "已终止" and case.closed_at is not None
        assert CaseEvent.objects.filter(case=case, from_state="已提交", to_state="已终止", actor_name="system").count() == 1
        last = LedgerEntry.objects.filter(entity_type=entity_type_of(Case), entity_id=case.pk).order_by("seq").last()
        assert last is not None and (last.action, last.reason) == ("workflow.transition", "已提交 → 已终止：数据撤回")
    assert verify().ok
