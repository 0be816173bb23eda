"""Demo objections and credit repairs in every state, written through the services like a user would.

Called once by ``govcredit demo-data`` after the city and its accounts exist. It adds no records (the demo's
records are its plan): objections are filed by the counterparties of 双公示 decisions (verified by the
credit code or ID number the decision holds) and by the demo subject on its own records; repairs by the
subjects of records that the 《信用修复管理办法》 lets them repair (an organisation gets a subject account
of its own for that, with a random password). The credit office decides.
"""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.archive.api import _display_fields
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.core import clock, crypto

from . import rules, services
from .models import Ground

# the steps that lead to each state, after filing
OBJECTION_PATHS: list[list[str]] = [[], ["accept"], ["accept", "extend"], ["refuse"], ["accept", "correct"],
                                    ["accept", "revoke"], ["accept", "uphold"]]
REPAIR_PATHS: list[list[str]] = [[], ["accept"], ["refuse"], ["accept", "approve"], ["accept", "reject"]]
REASONS = {"accept": "材料齐全，予以受理", "refuse": "异议事项不属于本单位职责范围，已告知向有权机关提出",
           "extend": "需向原始数据提供单位调取材料核实", "correct": "经核查，违法事实的表述有误，予以更正",
           "revoke": "经核查，该决定已被依法撤销", "uphold": "经核查，记录与决定文书一致，予以维持",
           "approve": "已纠正失信行为、履行法定义务并作出信用承诺", "reject": "法定义务尚未履行完毕"}
COMMITMENT = ("信用承诺书.pdf", b"%PDF-1.4\n% demo credit commitment\n%%EOF\n")


def _counterparty_number(record: CreditRecord) -> str:
    if record.counterparty_code:
        return record.counterparty_code
    return crypto.decrypt(record.counterparty_id_cipher) if record.counterparty_id_cipher else ""


def _corrected_values(record: CreditRecord) -> dict[str, Any]:
    values = _display_fields(record)
    facts = next((s["label"] for s in record.type_version.fields if s.get("column") == "facts"), None)
    if facts is not None:
        values[facts] = f"{values[facts]}（经异议核查更正）"
    return values


def _objections(credit: User, subject: User | None) -> Counter[str]:
    made: Counter[str] = Counter()
    eligible = (CreditRecord.objects.filter(record_type__code__in=["xzcf", "xzxk"], status=RecordStatus.VALID)
                .exclude(counterparty_code="", counterparty_id_cipher="").order_by("pk"))
    candidates = list(eligible[:len(OBJECTION_PATHS)])
    for record, path in zip(candidates, OBJECTION_PATHS, strict=False):
        filed = services.file_objection(record, ground=Ground.CONTENT, reasons="决定所载违法事实与实际情况不符",
                                        files=[], applicant_name=record.counterparty_name,
                                        contact="025-00000000", verification=_counterparty_number(record))
        assert filed.objection is not None
        for action in path:
            services.act_on_objection(filed.objection, action, credit, REASONS[action], _corrected_values(record))
        made[filed.objection.case.status] += 1
    if subject is not None and subject.civil_servant_id:
        own = (CreditRecord.objects.filter(subject_person_id=subject.civil_servant_id, status=RecordStatus.VALID)
               .order_by("pk").first())
        if own is not None:
            filed = services.file_objection(own, ground=Ground.PERIOD, reasons="公示截止日期计算有误", files=[],
                                            user=subject)
            made["待受理"] += 1
    return made


def _applicant(record: CreditRecord, subject: User | None) -> User:
    if subject is not None and record.subject_person_id and record.subject_person_id == subject.civil_servant_id:
        return subject
    assert record.subject_org is not None
    user = User.objects.filter(role=Role.SUBJECT, organization=record.subject_org, civil_servant__isnull=True).first()
    return user or create_user(f"subject-{record.subject_org.credit_code}", secrets.token_urlsafe(24), role=Role.SUBJECT,
                               organization=record.subject_org, display_name=record.subject_org.name)


def _repairs(credit: User, subject: User | None) -> Counter[str]:
    made: Counter[str] = Counter()
    today = clock.today()
    own = CreditRecord.objects.filter(subject_person_id=subject.civil_servant_id) if subject and subject.civil_servant_id \
        else CreditRecord.objects.none()
    pool = list(own.order_by("pk")) + list(CreditRecord.objects.filter(subject_org__isnull=False).order_by("pk")[:2000])
    eligible = [r for r in pool if rules.repair_refusal(r, today) is None and services.open_repair(r) is None]
    for record, path in zip(eligible, REPAIR_PATHS, strict=False):
        filed = services.apply_repair(record, user=_applicant(record, subject), commitment=COMMITMENT, files=[],
                                      corrected="已纠正失信行为，相关法定义务已履行完毕")
        assert filed.repair is not None
        for action in path:
            services.act_on_repair(filed.repair, action, credit, REASONS[action], services.REFUSAL_RULES[1])
        made[filed.repair.case.status] += 1
    return made


def build_demo() -> dict[str, int]:
    """Objections and repairs in every state; returns how many of each (for the demo's summary)."""
    credit = User.objects.filter(username="credit", role=Role.CREDIT_OFFICE).first()
    if credit is None:
        return {}
    subject = User.objects.filter(username="subject", role=Role.SUBJECT).first()
    objections, repairs = _objections(credit, subject), _repairs(credit, subject)
    return {"异议": sum(objections.values()), "信用修复申请": sum(repairs.values()),
            **{f"异议·{k}": v for k, v in sorted(objections.items())},
            **{f"信用修复·{k}": v for k, v in sorted(repairs.items())}}
