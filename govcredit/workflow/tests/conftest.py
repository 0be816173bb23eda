"""A sample kind (a rectification with a submit/return loop) that exercises every feature of the engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from govcredit.accounts.models import Role
from govcredit.testing import City
from govcredit.workflow import kinds, services
from govcredit.workflow.kinds import Kind, Step
from govcredit.workflow.models import Case

SAMPLE = Kind(
    code="test.rectification", label="整改（测试）", initial="待整改", final=frozenset({"已办结", "已终止"}),
    steps=(
        Step("待整改", "已提交", "提交整改材料", roles=frozenset({Role.SUBMITTER, Role.DISTRICT})),
        Step("已提交", "已办结", "验收通过", roles=frozenset({Role.CREDIT_OFFICE})),
        Step("已提交", "待整改", "退回重改", roles=frozenset({Role.CREDIT_OFFICE})),
        Step("待整改", "已终止", "终止", roles=frozenset({Role.CREDIT_OFFICE})),
        Step("已提交", "已终止", "系统终止", system=True),
    ),
    days=5, working_days=True, reminders=(2, 1), escalate_after=2,
    owner_roles=frozenset({Role.SUBMITTER, Role.DISTRICT}),
)
ALLOWED = {(s.source, s.target) for s in SAMPLE.steps}


@pytest.fixture(autouse=True)
def sample_kind() -> Iterator[Kind]:
    kinds.register(SAMPLE)
    yield SAMPLE
    kinds.unregister(SAMPLE.code)


def open_sample(city: City, org: str = "xuanwu", status: str | None = None) -> Case:
    """A sample case owed by ``org``, moved to ``status`` along allowed steps (by 玄武区's district user)."""
    case = services.open_case(SAMPLE.code, debtor_org=city.orgs[org], owed_to="市信用办", basis=city.orgs[org],
                              basis_text="测试依据", reason="立案")
    if status in {"已提交", "已办结"}:
        services.transition(case, "已提交", city.users["district"], "提交")
    if status == "已办结":
        services.transition(case, "已办结", city.users["credit"], "验收")
    if status == "已终止":
        services.transition(case, "已终止", city.users["credit"], "终止")
    return case
