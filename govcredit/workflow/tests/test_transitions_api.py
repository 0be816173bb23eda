"""The same state machine through ``POST /api/workflow/cases/{id}/transition``: every allowed step answers 200,
every forbidden one 422 (or 403 for a role without the step) in Chinese, and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City, on_day
from govcredit.workflow.models import Case, CaseEvent

from .conftest import ALLOWED, SAMPLE, open_sample

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))]
ACTOR = {"已提交": "district", "已办结": "credit", "待整改": "credit", "已终止": "credit"}


def _by_a_user(a: str, b: str) -> bool:
    step = SAMPLE.step(a, b)
    return step is not None and not step.system


USER_PAIRS = [(a, b) for a in SAMPLE.states for b in SAMPLE.states if (a, b) in ALLOWED and _by_a_user(a, b)]
FORBIDDEN = [(a, b) for a in SAMPLE.states for b in SAMPLE.states if (a, b) not in ALLOWED]


def _post(city: City, role: str, case: Case, to_state: str, reason: str = "依规办理") -> tuple[int, dict[str, Any]]:
    client = Client()
    client.force_login(city.users[role])
    response = client.post(f"/api/workflow/cases/{case.pk}/transition",
                           json.dumps({"to_state": to_state, "reason": reason}), content_type="application/json")
    body: dict[str, Any] = response.json()
    return response.status_code, body


def _snapshot(case: Case) -> tuple[str, int, int]:
    return Case.objects.get(pk=case.pk).status, CaseEvent.objects.filter(case=case).count(), LedgerEntry.objects.count()


@pytest.mark.parametrize(("source", "target"), USER_PAIRS)
def test_allowed_step(city: City, source: str, target: str) -> None:
    case = open_sample(city, status=source)
    status, body = _post(city, ACTOR[target], case, target)
    assert status == 200, body
    assert body["status"] == target
    assert body["history"][-1] == {**body["history"][-1], "from_state": source, "to_state": target, "reason": "依规办理"}


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_forbidden_step(city: City, source: str, target: str) -> None:
    case = open_sample(city, status=source)
    before = _snapshot(case)
    status, body = _post(city, "credit", case, target)
    assert status == 422
    assert body["errors"][0]["field"] == "to_state"
    message = body["errors"][0]["message"]
    assert "不能" in message and f"“{target}”" in message
    if source in SAMPLE.final:
        assert f"已办结（{source}）" in message
    assert _snapshot(case) == before


def test_system_step_and_wrong_role_answer_403(city: City) -> None:
    case = open_sample(city, status="已提交")
    before = _snapshot(case)
    status, body = _post(city, "credit", case, "已终止")
    assert status == 403 and "无权办理" in body["detail"]
    status, body = _post(city, "district", case, "已办结")
    assert status == 403 and "无权办理" in body["detail"]
    assert _snapshot(case) == before


def test_unknown_state_and_blank_reason(city: City) -> None:
    case = open_sample(city)
    before = _snapshot(case)
    status, body = _post(city, "district", case, "不存在")
    assert status == 422 and "可转为：“已提交”、“已终止”" in body["errors"][0]["message"]
    status, body = _post(city, "district", case, "已提交", reason="   ")
    assert status == 422 and body["errors"][0]["field"] == "reason"
    assert _snapshot(case) == before
