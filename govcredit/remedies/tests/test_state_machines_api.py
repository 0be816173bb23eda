"""Every step of both state machines through the API: allowed steps answer 200, every other one 422 naming
the allowed steps, with nothing changed (case, record, ledger); the generic workflow API cannot take them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcredit.archive.models import CreditRecord
from govcredit.ledger.models import LedgerEntry
from govcredit.remedies import services
from govcredit.remedies.models import Objection, Repair
from govcredit.remedies.workflow import OBJECTION, REPAIR
from govcredit.testing import City, on_day

from .conftest import PDF, client_for, post_json, statistics_record

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))]

# how to bring a case to each state, as a list of actions after filing
OBJECTION_PATHS = {"待受理": [], "核查中": ["accept"], "延期核查": ["accept", "extend"], "不予受理": ["refuse"],
                   "已更正": ["accept", "correct"], "已撤销": ["accept", "revoke"], "维持原记录": ["accept", "uphold"]}
REPAIR_PATHS = {"待受理": [], "审核中": ["accept"], "不予受理": ["refuse"], "已修复": ["accept", "approve"],
                "不予修复": ["accept", "reject"]}
OBJECTION_PAIRS = [(s, a) for s in OBJECTION.states for a in services.OBJECTION_ACTIONS]
REPAIR_PAIRS = [(s, a) for s in REPAIR.states for a in services.REPAIR_ACTIONS]


def _values(record: CreditRecord) -> dict[str, Any]:
    return {"认定文号": record.decision_number, "认定机关": record.authority_name,
            "认定日期": record.decision_date.isoformat(), "统计违法事实": "更正后的事实", "严重程度": record.severity}


def _objection(city: City, state: str) -> Objection:
    record = statistics_record(city)
    objection = services.file_objection(record, ground="其他", reasons="有误", files=[], user=city.users["subject"]).objection
    assert objection is not None
    for action in OBJECTION_PATHS[state]:
        services.act_on_objection(objection, action, city.users["district"], "办理", _values(record))
    return objection


def _repair(city: City, state: str) -> Repair:
    repair = services.apply_repair(statistics_record(city), user=city.users["subject"], corrected="已纠正",
                                   commitment=("承诺书.pdf", PDF), files=[]).repair
    assert repair is not None
    for action in REPAIR_PATHS[state]:
        services.act_on_repair(repair, action, city.users["district"], "办理", "依据")
    return repair


def _snapshot(row: Objection | Repair) -> tuple[str, str, int, int]:
    row = type(row).objects.select_related("case", "record").get(pk=row.pk)
    return row.case.status, row.record.status, row.case.events.count(), LedgerEntry.objects.count()


@pytest.mark.parametrize(("source", "action"), OBJECTION_PAIRS)
def test_objection_step(city: City, source: str, action: str) -> None:
    objection = _objection(city, source)
    target = services.OBJECTION_ACTIONS[action]
    before = _snapshot(objection)
    status, body = post_json(client_for(city.users["district"]), f"/api/remedies/objections/{objection.pk}/act",
                             {"action": action, "reason": "依规办理", "values": _values(objection.record)})
    if OBJECTION.step(source, target) is not None:
        assert status == 200, body
        assert body["status"] == target and body["history"][-1]["to_state"] == target
    else:
        assert status == 422, body
        assert body["errors"][0]["field"] == "to_state" and f"“{target}”" in body["errors"][0]["message"]
        assert _snapshot(objection) == before


@pytest.mark.parametrize(("source", "action"), REPAIR_PAIRS)
def test_repair_step(city: City, source: str, action: str) -> None:
    repair = _repair(city, source)
    target = services.REPAIR_ACTIONS[action]
    before = _snapshot(repair)
    status, body = post_json(client_for(city.users["district"]), f"/api/remedies/repairs/{repair.pk}/act",
                             {"action": action, "reason": "依规办理", "rule": "《信用修复管理办法》"})
    if REPAIR.step(source, target) is not None:
        assert status == 200, body
        assert body["status"] == target
    else:
        assert status == 422, body
        assert "不能" in body["errors"][0]["message"]
        assert _snapshot(repair) == before


def test_deciding_twice_says_it_is_closed(city: City) -> None:
    objection = _objection(city, "维持原记录")
    status, body = post_json(client_for(city.users["credit"]), f"/api/remedies/objections/{objection.pk}/act",
                             {"action": "revoke", "reason": "再次办理"})
    assert status == 422 and "已办结（维持原记录）" in body["errors"][0]["message"]


def test_generic_workflow_api_cannot_skip_the_service(city: City) -> None:
    objection, repair = _objection(city, "核查中"), _repair(city, "审核中")
    for row, target in ((objection, "已撤销"), (repair, "已修复")):
        before = _snapshot(row)
        status, body = post_json(client_for(city.users["credit"]), f"/api/workflow/cases/{row.case_id}/transition",
                                 {"to_state": target, "reason": "绕过业务办理"})
        assert status == 422 and "须通过" in body["errors"][0]["message"]
        assert _snapshot(row) == before


def test_roles_without_the_step_are_refused(city: City) -> None:
    objection = _objection(city, "待受理")
    before = _snapshot(objection)
    for role in ("subject", "personnel"):
        status, _ = post_json(client_for(city.users[role]), f"/api/remedies/objections/{objection.pk}/act",
                              {"action": "accept", "reason": "越权"})
        assert status == 403
    for role in ("public", "thirdparty", "submitter"):  # 市场监管局 did not submit it: outside its scope
        status, _ = post_json(client_for(city.users[role]), f"/api/remedies/objections/{objection.pk}/act",
                              {"action": "accept", "reason": "越权"})
        assert status in (403, 404)
    assert _snapshot(objection) == before


def test_unknown_action_and_blank_reason(city: City) -> None:
    objection = _objection(city, "待受理")
    before = _snapshot(objection)
    client = client_for(city.users["district"])
    status, body = post_json(client, f"/api/remedies/objections/{objection.pk}/act", {"action": "approve", "reason": "x"})
    assert status == 422 and body["errors"][0]["field"] == "action"
    status, body = post_json(client, f"/api/remedies/objections/{objection.pk}/act", {"action": "accept", "reason": " "})
    assert status == 422
    assert _snapshot(objection) == before
