"""Every allowed and every forbidden step of a kind through the engine's one service; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City, on_day
from govcredit.workflow import services
from govcredit.workflow.models import Case, CaseEvent

from .conftest import ALLOWED, SAMPLE, open_sample

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))]
ACTOR = {"已提交": "district", "已办结": "credit", "待整改": "credit", "已终止": "credit"}
PAIRS = [(a, b) for a in SAMPLE.states for b in SAMPLE.states]


def _snapshot(case: Case) -> tuple[str, int, int]:
    return Case.objects.get(pk=case.pk).status, CaseEvent.objects.filter(case=case).count(), LedgerEntry.objects.count()


@pytest.mark.parametrize(("source", "target"), [p for p in PAIRS if p in ALLOWED])
def test_allowed_step(city: City, source: str, target: str) -> None:
    case = open_sample(city, status=source)
    step = SAMPLE.step(source, target)
    assert step is not None
    actor = None if step.system else city.users[ACTOR[target]]
    services.transition(case, target, actor, "按规定办理")
    case.refresh_from_db()
    assert case.status == target
    assert (case.closed_at is not None) == (target in SAMPLE.final)
    event = case.events.order_by("-pk").first()
    assert event is not None
    assert (event.from_state, event.to_state, event.reason) == (source, target, "按规定办理")
    assert event.actor_name == (actor.get_username() if actor else "system")


@pytest.mark.parametrize(("source", "target"), [p for p in PAIRS if p not in ALLOWED])
def test_forbidden_step(city: City, source: str, target: str) -> None:
    case = open_sample(city, status=source)
    before = _snapshot(case)
    with pytest.raises(ValidationError) as err:
        services.transition(case, target, city.users["credit"], "试图越过状态机")
    assert "不能" in str(err.value)
    assert _snapshot(case) == before


def test_role_that_may_not_take_the_step(city: City) -> None:
    case = open_sample(city)
    before = _snapshot(case)
    for role in ("credit", "personnel", "subject", "public"):
        with pytest.raises(PermissionDenied, match="无权办理"):
            services.transition(case, "已提交", city.users[role], "越权")
    assert _snapshot(case) == before


def test_system_steps_and_user_steps_are_kept_apart(city: City) -> None:
    case = open_sample(city, status="已提交")
    before = _snapshot(case)
    with pytest.raises(PermissionDenied, match="无权办理"):
        services.transition(case, "已终止", city.users["credit"], "只有系统能做")
    with pytest.raises(PermissionDenied, match="系统不能代办"):
        services.transition(case, "已办结", None, "只有经办人员能做")
    assert _snapshot(case) == before


def test_reason_is_required(city: City) -> None:
    case = open_sample(city)
    before = _snapshot(case)
    with pytest.raises(ValidationError, match="理由"):
        services.transition(case, "已提交", city.users["district"], "  ")
    assert _snapshot(case) == before


def test_a_kind_with_an_undeclared_state_is_refused() -> None:
    from govcredit.workflow.kinds import Kind, Step

    with pytest.raises(ValueError, match="未声明的状态"):
        Kind(code="bad", label="坏", initial="甲", final=frozenset({"乙"}), steps=(Step("甲", "丙", "x"),), days=1,
             states=("甲", "乙"))
