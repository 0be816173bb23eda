"""The two workflow kinds of this app: an objection and a credit repair, each an explicit state machine.

Objection: 待受理 → 核查中 (accepted) or 不予受理; 核查中 → 延期核查 (once, with a written reason);
核查中 / 延期核查 → 已更正, 已撤销 or 维持原记录. Repair: 待受理 → 审核中 or 不予受理; 审核中 → 已修复 or
不予修复. Each step is taken by the department that submitted the record (its users in whose subtree it
is) or by the credit office, and only through this app's services (``handled_by``), which change the
record with it; the generic transition API refuses them.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from govcredit.accounts.models import Role
from govcredit.workflow.kinds import Kind, Step

DECIDERS = frozenset({Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT})
DEPARTMENT = frozenset({Role.SUBMITTER, Role.DISTRICT})

# objection states
RECEIVED = gettext_noop("待受理")
NOT_ACCEPTED = gettext_noop("不予受理")
CHECKING = gettext_noop("核查中")
EXTENDED = gettext_noop("延期核查")
CORRECTED = gettext_noop("已更正")
REVOKED = gettext_noop("已撤销")
UPHELD = gettext_noop("维持原记录")
OUTCOMES = (CORRECTED, REVOKED, UPHELD)
# step labels spelled out so that makemessages sees them (the English sits in the catalogue)
OUTCOME_STEPS = {CORRECTED: gettext_noop("异议处理：已更正"), REVOKED: gettext_noop("异议处理：已撤销"),
                 UPHELD: gettext_noop("异议处理：维持原记录")}

OBJECTION = Kind(
    code="remedies.objection",
    label=gettext_noop("信用信息异议"),
    initial=RECEIVED,
    final=frozenset({NOT_ACCEPTED, CORRECTED, REVOKED, UPHELD}),
    states=(RECEIVED, CHECKING, EXTENDED, NOT_ACCEPTED, CORRECTED, REVOKED, UPHELD),
    steps=(
        Step(RECEIVED, CHECKING, gettext_noop("受理异议"), roles=DECIDERS),
        Step(RECEIVED, NOT_ACCEPTED, gettext_noop("不予受理"), roles=DECIDERS),
        Step(CHECKING, EXTENDED, gettext_noop("延长核查期限"), roles=DECIDERS),
        *(Step(source, outcome, OUTCOME_STEPS[outcome], roles=DECIDERS)
          for source in (CHECKING, EXTENDED) for outcome in OUTCOMES),
    ),
    days=1,
    working_days=True,
    reminders=(1,),
    escalate_after=1,
    owner_roles=DEPARTMENT,
    handled_by=gettext_noop("异议处理页面或异议接口（/api/remedies/objections/）"),
)

# repair states
REVIEWING = gettext_noop("审核中")
REPAIRED = gettext_noop("已修复")
NOT_REPAIRED = gettext_noop("不予修复")

REPAIR = Kind(
    code="remedies.repair",
    label=gettext_noop("信用修复申请"),
    initial=RECEIVED,
    final=frozenset({NOT_ACCEPTED, REPAIRED, NOT_REPAIRED}),
    states=(RECEIVED, REVIEWING, NOT_ACCEPTED, REPAIRED, NOT_REPAIRED),
    steps=(
        Step(RECEIVED, REVIEWING, gettext_noop("受理修复申请"), roles=DECIDERS),
        Step(RECEIVED, NOT_ACCEPTED, gettext_noop("不予受理"), roles=DECIDERS),
        Step(REVIEWING, REPAIRED, gettext_noop("准予修复"), roles=DECIDERS),
        Step(REVIEWING, NOT_REPAIRED, gettext_noop("不予修复"), roles=DECIDERS),
    ),
    days=2,
    working_days=True,
    reminders=(1,),
    escalate_after=1,
    owner_roles=DEPARTMENT,
    handled_by=gettext_noop("信用修复办理页面或修复接口（/api/remedies/repairs/）"),
)
