"""The credit report's sections on joint rewards and punishments: measures in force (奖惩措施), their
rectifications (整改) and fault-tolerance findings (容错纠错认定), registered from ``apps.py`` in the core
registry (``govcredit.core.report_sections``; sanctions sits below reports and may not import it).

Each section reads the subject's rows as they stood at the report's moment: measures started by then and
not ended by then (a suspended one says so), rectifications open then or accepted by then (one stopped
because its measure ended has nothing left to report), findings decided by then. Findings on records
since revoked are left out, as the report leaves out the revoked records themselves.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from govcredit.archive.models import RecordStatus
from govcredit.core import clock
from govcredit.core.report_sections import Row, Section, SubjectFilter, person_or_org
from govcredit.workflow.models import Case

from .models import AppliedMeasure, FaultToleranceFinding, MeasureStatus
from .workflow import ACCEPTED, RECTIFICATION

REASON_CHARS = 120


def _record(decision_number: str, type_name: str) -> str:
    return f"{type_name}\n{decision_number}"


def measure_rows(subject: SubjectFilter, at: dt.datetime) -> list[Row]:
    day = clock.local_date(at)
    measures = (AppliedMeasure.objects.filter(**subject, start_on__lte=day)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
                .exclude(status=MeasureStatus.ENDED, ended_on__isnull=True)
                .select_related("measure_version__measure_type", "record__record_type")
                .order_by("-start_on", "-pk"))
    return [[str(n), m.measure_version.measure_type.name, m.polarity,
             _record(m.record.decision_number, m.record.record_type.name),
             f"{m.start_on.isoformat()} —\n{m.end_on.isoformat()}",
             m.status if m.status != MeasureStatus.ENDED else str(MeasureStatus.IN_FORCE)]
            for n, m in enumerate(measures, 1)]


def measure_columns() -> list[str]:
    return [_("序号"), _("措施"), _("类别"), _("依据记录"), _("执行期间"), _("状态")]


def rectification_rows(subject: SubjectFilter, at: dt.datetime) -> list[Row]:
    day = clock.local_date(at)
    measures = AppliedMeasure.objects.filter(**subject)
    cases = list(Case.objects.filter(kind=RECTIFICATION.code, basis_id__in=measures.values("pk"), opened_on__lte=day)
                 .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=at) | Q(status=ACCEPTED))
                 .order_by("-opened_on", "-pk"))
    basis = measures.filter(pk__in=[c.basis_id for c in cases]).select_related(
        "measure_version__measure_type", "record__record_type").in_bulk() if cases else {}
    rows = []
    for n, case in enumerate(cases, 1):
        m = basis.get(case.basis_id or 0)
        about = _record(m.record.decision_number, m.measure_version.measure_type.name) if m else case.basis_text
        open_then = case.closed_at is None or case.closed_at > at
        state = case.status if not open_then or case.closed_at is None else _("整改中")
        late = open_then and case.due_on < day
        rows.append([str(n), about, case.opened_on.isoformat(), case.due_on.isoformat(),
                     state + (_("（已逾期）") if late else "")])
    return rows


def rectification_columns() -> list[str]:
    return [_("序号"), _("整改事项与依据"), _("立案日期"), _("整改期限"), _("状态")]


def finding_rows(subject: SubjectFilter, at: dt.datetime) -> list[Row]:
    findings = (FaultToleranceFinding.objects.filter(**person_or_org(subject, "application__record__"),
                                                     decided_at__lte=at)
                .exclude(application__record__status=RecordStatus.REVOKED)
                .select_related("application__record__record_type").order_by("-decided_at", "-pk"))
    rows = []
    for n, f in enumerate(findings, 1):
        record = f.application.record
        outcome = f.get_outcome_display() + (
            _("（措施提前结束于 %(day)s）") % {"day": f.lighten_to.isoformat()} if f.lighten_to else "")
        rows.append([str(n), _record(record.decision_number, record.record_type.name),
                     "、".join(str(g) for g in f.application.grounds), f.meeting_on.isoformat(), outcome,
                     f.reason[:REASON_CHARS]])
    return rows


def finding_columns() -> list[str]:
    return [_("序号"), _("涉及记录"), _("情形"), _("决策日期"), _("认定结果"), _("理由")]


def measure_holders(field: str, ids: list[int]) -> set[int]:
    """Subjects with any measure (a rectification is always about one of them)."""
    return set(AppliedMeasure.objects.filter(**{f"{field}__in": ids}).order_by()
               .values_list(field, flat=True).distinct())


def finding_holders(field: str, ids: list[int]) -> set[int]:
    return set(FaultToleranceFinding.objects.filter(**{f"application__record__{field}__in": ids}).order_by()
               .values_list(f"application__record__{field}", flat=True).distinct())


MEASURES = Section(50, lambda: _("奖惩措施（报告时执行中）"), measure_columns,
                   ("auto", "1.5fr", "auto", "1fr", "auto", "auto"), measure_rows, measure_holders)
RECTIFICATIONS = Section(60, lambda: _("整改"), rectification_columns, ("auto", "2fr", "auto", "auto", "1fr"),
                         rectification_rows, measure_holders)
FINDINGS = Section(70, lambda: _("容错纠错认定"), finding_columns, ("auto", "1fr", "1fr", "auto", "1.2fr", "1.5fr"),
                   finding_rows, finding_holders)
