"""The first workflow kind: a revoked penalty on the portal opens a 3-working-day withdrawal case for the
department that submitted it, and the portal job closes it when it withdraws the publication."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status, correct_record
from govcredit.disclosure.services import sync
from govcredit.disclosure.workflow import OPEN, UPDATED, WITHDRAWAL, WITHDRAWN
from govcredit.ledger.verification import verify
from govcredit.testing import City, on_day, penalty_row, publish_recent_penalty
from govcredit.workflow import services as workflow
from govcredit.workflow.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.time_machine(on_day(dt.date(2026, 9, 29)))
def test_revoking_opens_a_case_that_the_portal_job_closes(city: City) -> None:
    record = publish_recent_penalty(city)
    assert record.publication.is_public
    change_status(record, RecordStatus.REVOKED, actor="credit", reason="复议撤销")
    case = Case.objects.get(kind=WITHDRAWAL.code)
    assert (case.status, case.debtor_org, case.basis_id) == (OPEN, city.orgs["xuanwu"], record.pk)
    assert case.due_on == dt.date(2026, 10, 9)  # 3 working days over the National Day holiday (10/1–10/7)
    assert case in workflow.inbox(city.users["district"]).cases

    assert sync().withdrawn == 1
    case.refresh_from_db()
    record.publication.refresh_from_db()
    assert not record.publication.is_public and "撤销" in record.publication.public_note
    assert (case.status, case.closed_at is not None) == (WITHDRAWN, True)
    assert list(case.events.values_list("to_state", "actor_name")) == [(OPEN, "system"), (WITHDRAWN, "system")]
    assert case not in workflow.inbox(city.users["district"]).cases
    assert sync().withdrawn == 0 and Case.objects.filter(kind=WITHDRAWAL.code).count() == 1
    assert verify().ok


@pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))
def test_unpublished_records_open_no_case(city: City) -> None:
    change_status(city.records["qinhuai_penalty"], RecordStatus.REVOKED, actor="credit", reason="撤销")
    assert not Case.objects.exists()


def test_a_stopped_portal_job_makes_the_case_overdue(city: City, time_machine: Any) -> None:
    time_machine.move_to(on_day(dt.date(2026, 11, 2)))
    record = publish_recent_penalty(city)
    change_status(record, RecordStatus.REVOKED, actor="credit", reason="撤销")
    case = Case.objects.get(kind=WITHDRAWAL.code)
    assert case.due_on == dt.date(2026, 11, 5)
    time_machine.move_to(on_day(dt.date(2026, 11, 4)))
    assert workflow.send_reminders() == 1
    time_machine.move_to(on_day(dt.date(2026, 11, 9)))
    assert workflow.mark_overdue() == 2  # overdue, and escalated to the credit office a working day later
    case.refresh_from_db()
    assert case.overdue_at and case.escalated_at
    with pytest.raises(Exception, match="无权办理"):
        workflow.transition(case, WITHDRAWN, city.users["credit"], "人工撤下")  # only the portal job withdraws
    workflow.transition(case, "已撤回立案", city.users["credit"], "撤销决定有误，已恢复")
    assert Case.objects.get(pk=case.pk).closed_at is not None


@pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))
def test_a_correction_the_portal_lists_opens_a_case_that_the_refresh_closes(city: City) -> None:
    record = publish_recent_penalty(city)
    values = {**penalty_row(city.orgs["xuanwu"]), "处罚决定日期": record.decision_date.isoformat(), "罚款金额（万元）": "2",
              "行政处罚决定书文号": "玄市监罚〔2026〕101号", "违法事实": "更正后的违法事实"}
    correct_record(record, values, actor="credit", reason="更正违法事实")  # the detail page reads it live
    assert not Case.objects.exists()
    correct_record(record, {**values, "行政处罚决定书文号": "玄市监罚〔2026〕102号"}, actor="credit", reason="更正文号")
    case = Case.objects.get(kind=WITHDRAWAL.code)
    assert (case.status, case.due_on) == (OPEN, dt.date(2026, 11, 5))
    assert sync().withdrawn == 0
    case.refresh_from_db()
    record.publication.refresh_from_db()
    assert record.publication.is_public and record.publication.decision_number.endswith("102号")
    assert (case.status, case.closed_at is not None) == (UPDATED, True)
    assert sync().withdrawn == 0 and Case.objects.count() == 1
    assert verify().ok


def test_a_correction_through_intake_opens_the_case_too(city: City, settings: Any, tmp_path: Any) -> None:
    """Intake writes its corrections in bulk (no ``post_save``): it opens the cases itself."""
    from govcredit.catalog.models import RecordType
    from govcredit.intake.services import run_batch, submit_rows

    settings.MEDIA_ROOT = tmp_path / "media"
    record = publish_recent_penalty(city)
    row = {**penalty_row(city.orgs["xuanwu"]), "处罚决定日期": record.decision_date.isoformat(), "罚款金额（万元）": "2",
           "行政处罚决定书文号": "玄市监罚〔2026〕101号", "处罚机关": "南京市玄武区市场监督管理局"}
    batch = submit_rows([row], record_type=RecordType.objects.get(code="xzcf"), org=city.orgs["xuanwu"], actor="test")
    batch = run_batch(batch.pk)
    assert (batch.updated, batch.rejected) == (1, 0), batch.message
    case = Case.objects.get(kind=WITHDRAWAL.code)
    assert case.status == OPEN
    sync()
    case.refresh_from_db()
    assert case.status == UPDATED
    record.publication.refresh_from_db()
    assert record.publication.authority_name == "南京市玄武区市场监督管理局"
