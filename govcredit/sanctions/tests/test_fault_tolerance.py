"""Fault tolerance (容错纠错): application, the department's opinion, the credit office's review and the
collective decision with minutes and deciders; waiving and lightening; forbidden steps; scope."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.core import clock
from govcredit.ledger.models import LedgerEntry
from govcredit.sanctions.models import AppliedMeasure, EndReason, FaultToleranceFinding, MeasureStatus
from govcredit.sanctions.workflow import COLLECTIVE, FOUND, OPINION, RECTIFICATION, REFUSED, REVIEW, WITHDRAWN
from govcredit.testing import PASSWORD, City
from govcredit.workflow.models import Case

from .helpers import PDF, breach

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(city: City, settings: Any, tmp_path: Any) -> dict[str, User]:
    settings.MEDIA_ROOT = tmp_path
    return {
        "dept": create_user("xinjiekou", PASSWORD, role=Role.SUBJECT, organization=city.orgs["xinjiekou"]),
        "other_district": create_user("qinhuai", PASSWORD, role=Role.DISTRICT, organization=city.orgs["qinhuai"]),
        **city.users,
    }


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(user: User, url: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = client_for(user).post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def apply(people: dict[str, User], city: City, **extra: Any) -> tuple[int, Any]:
    record = breach(city)
    return post(people["dept"], "/api/sanctions/fault-tolerance",
                {"record_id": record.pk, "grounds": ["及时止损", "挽回损失"], "statement": "已及时付清款项并赔偿", **extra})


def step(user: User, case_id: int, to: str, reason: str = "意见") -> tuple[int, Any]:
    return post(user, f"/api/workflow/cases/{case_id}/transition", {"to_state": to, "reason": reason})


def minutes(user: User, case_id: int) -> int:
    response = client_for(user).post(f"/api/workflow/cases/{case_id}/evidence",
                                     {"file": SimpleUploadedFile("集体决策会议纪要.pdf", PDF)})
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def decide(user: User, application_id: int, evidence: int, outcome: str = "免除", **extra: Any) -> tuple[int, Any]:
    return post(user, f"/api/sanctions/fault-tolerance/{application_id}/finding", {
        "outcome": outcome, "meeting_on": clock.today().isoformat(), "deciders": ["张主任", "李副主任", "王处长"],
        "minutes_evidence_id": evidence, "reason": "及时止损，挽回全部损失", **extra})


def to_collective(people: dict[str, User], city: City) -> dict[str, Any]:
    code, app = apply(people, city)
    assert code == 201, app
    assert step(people["district"], app["case_id"], REVIEW, "单位意见：情况属实，建议免除")[0] == 200
    assert step(people["credit"], app["case_id"], COLLECTIVE, "审查通过")[0] == 200
    return dict(app)


def test_waiver_ends_the_measures_and_is_shown(city: City, people: dict[str, User]) -> None:
    app = to_collective(people, city)
    evidence = minutes(people["credit"], app["case_id"])
    code, body = decide(people["credit"], app["id"], evidence)
    assert code == 200, body
    assert body["status"] == FOUND and body["finding"]["deciders"] == ["张主任", "李副主任", "王处长"]
    measures = AppliedMeasure.objects.filter(record_id=app["record_id"])
    assert {(m.status, m.end_reason) for m in measures} == {(MeasureStatus.ENDED, EndReason.WAIVED)}
    assert Case.objects.get(kind=RECTIFICATION.code).status == "已终止"
    finding = FaultToleranceFinding.objects.get()
    assert LedgerEntry.objects.filter(entity_type="sanctions.faulttolerancefinding", entity_id=finding.pk,
                                      actor="credit", action="sanctions.fault_tolerance.decide").exists()
    page = client_for(people["district"]).get(f"/subjects/orgs/{city.orgs['xinjiekou'].pk}/").content.decode()
    assert "容错免除" in page and "免除措施" in page


def test_lightening_brings_the_end_forward(city: City, people: dict[str, User]) -> None:
    app = to_collective(people, city)
    evidence = minutes(people["credit"], app["case_id"])
    new_end = clock.today() + dt.timedelta(days=30)
    code, body = decide(people["credit"], app["id"], evidence, "减轻", lighten_to=new_end.isoformat())
    assert code == 200, body
    assert {m.end_on for m in AppliedMeasure.objects.filter(record_id=app["record_id"])} == {new_end}


def test_refusal_keeps_the_measures(city: City, people: dict[str, User]) -> None:
    app = to_collective(people, city)
    code, body = decide(people["credit"], app["id"], minutes(people["credit"], app["case_id"]), "不予认定")
    assert code == 200 and body["status"] == REFUSED
    assert set(AppliedMeasure.objects.filter(record_id=app["record_id"]).values_list("status", flat=True)) == {
        MeasureStatus.IN_FORCE}


def test_review_refusal_and_withdrawal(city: City, people: dict[str, User]) -> None:
    code, app = apply(people, city)
    assert step(people["dept"], app["case_id"], WITHDRAWN, "撤回")[0] == 200
    code, app = apply(people, city)
    assert step(people["district"], app["case_id"], REVIEW)[0] == 200
    assert step(people["credit"], app["case_id"], REFUSED, "不符合容错情形")[0] == 200


def test_skipping_steps_is_refused_with_nothing_changed(city: City, people: dict[str, User]) -> None:
    code, app = apply(people, city)
    case_id = app["case_id"]
    evidence = minutes(people["credit"], case_id)
    entries = LedgerEntry.objects.count()
    assert step(people["credit"], case_id, FOUND)[0] == 422  # skipping the opinion, the review and the decision
    assert step(people["credit"], case_id, COLLECTIVE)[0] == 422  # skipping the department's opinion
    assert step(people["dept"], case_id, REVIEW)[0] == 403  # the applicant cannot give its own department's opinion
    assert step(people["other_district"], case_id, REVIEW)[0] == 404  # outside its district
    assert decide(people["credit"], app["id"], evidence)[0] == 422  # no decision before the review
    assert LedgerEntry.objects.count() == entries
    assert Case.objects.get(pk=case_id).status == OPINION
    step(people["district"], case_id, REVIEW)
    step(people["credit"], case_id, COLLECTIVE)
    entries = LedgerEntry.objects.count()
    assert step(people["credit"], case_id, FOUND)[0] == 403  # a system step: only with minutes and deciders
    assert decide(people["district"], app["id"], evidence)[0] == 403  # only the credit office
    code, body = decide(people["credit"], app["id"], evidence, deciders=["张主任"])  # not a collective decision
    assert code == 422 and "至少 3 名" in json.dumps(body, ensure_ascii=False)
    assert decide(people["credit"], app["id"], evidence, "减轻")[0] == 422  # lightening without a date
    assert LedgerEntry.objects.count() == entries
    assert decide(people["credit"], app["id"], evidence)[0] == 200
    assert decide(people["credit"], app["id"], evidence)[0] == 422  # deciding twice


def test_minutes_must_be_a_pdf_or_image_of_this_case(city: City, people: dict[str, User]) -> None:
    app = to_collective(people, city)
    bad = client_for(people["credit"]).post(f"/api/workflow/cases/{app['case_id']}/evidence",
                                            {"file": SimpleUploadedFile("minutes.docx", b"PK\x03\x04word")})
    assert bad.status_code == 422
    other = to_collective(people, city)
    foreign = minutes(people["credit"], other["case_id"])
    assert decide(people["credit"], app["id"], foreign)[0] == 404


def test_application_rules(city: City, people: dict[str, User]) -> None:
    record = breach(city)
    code, body = post(people["dept"], "/api/sanctions/fault-tolerance",
                      {"record_id": record.pk, "grounds": ["运气不好"], "statement": "x"})
    assert code == 422
    assert post(people["other_district"], "/api/sanctions/fault-tolerance",
                {"record_id": record.pk, "grounds": ["及时止损"], "statement": "x"})[0] == 404
    assert post(people["credit"], "/api/sanctions/fault-tolerance",
                {"record_id": record.pk, "grounds": ["及时止损"], "statement": "x"})[0] == 403
    assert post(people["dept"], "/api/sanctions/fault-tolerance",
                {"record_id": record.pk, "grounds": ["及时止损"], "statement": "x"})[0] == 201
    code, body = post(people["dept"], "/api/sanctions/fault-tolerance",
                      {"record_id": record.pk, "grounds": ["及时止损"], "statement": "again"})
    assert code == 422  # one open application per record


def test_a_subject_sees_only_its_own_applications(city: City, people: dict[str, User]) -> None:
    apply(people, city)
    assert len(client_for(people["dept"]).get("/api/sanctions/fault-tolerance").json()["items"]) == 1
    assert client_for(people["subject"]).get("/api/sanctions/fault-tolerance").json()["items"] == []
    assert client_for(people["other_district"]).get("/api/sanctions/fault-tolerance").json()["items"] == []
