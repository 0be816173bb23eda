"""The workflow kind of a warning: the responsible body explains, plans and is followed up; the case closes
by itself (a system step) when the indicator's value returns below the yellow line."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from govcredit.accounts.models import Role
from govcredit.workflow.kinds import Kind, Step

KIND = "indicators.warning"
EXPLAIN = gettext_noop("待说明原因")
PLAN = gettext_noop("待提交计划")
FOLLOW_UP = gettext_noop("跟踪整改中")
CLEARED = gettext_noop("已解除预警")
DEPARTMENT = frozenset({Role.SUBMITTER, Role.DISTRICT})

WARNING_KIND = Kind(
    code=KIND,
    label=gettext_noop("指标预警说明与整改"),
    initial=EXPLAIN,
    final=frozenset({CLEARED}),
    steps=(
        Step(EXPLAIN, PLAN, gettext_noop("说明原因"), DEPARTMENT),
        Step(PLAN, FOLLOW_UP, gettext_noop("提交整改计划"), DEPARTMENT),
        Step(EXPLAIN, CLEARED, gettext_noop("数值回到预警线以下"), system=True),
        Step(PLAN, CLEARED, gettext_noop("数值回到预警线以下"), system=True),
        Step(FOLLOW_UP, CLEARED, gettext_noop("数值回到预警线以下"), system=True),
    ),
    days=10,
    working_days=True,
    reminders=(3, 1),
    escalate_after=1,
    owner_roles=DEPARTMENT,
)
