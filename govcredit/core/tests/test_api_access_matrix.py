"""Every API operation with every role: allowed roles get through, the others get 403 or 404.

Writes are sent with an empty body (or, where the handler checks the object's scope, a body of the
right shape that the service then rejects), so an allowed role gets a validation answer (400/422)
and no row is written, while a refused role must be stopped with 403 or 404.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from govcredit.accounts.services import issue_token
from govcredit.api.api import api
from govcredit.catalog.models import RecordType
from govcredit.commitments.tests.helpers import add_commitments
from govcredit.disclosure.workflow import WITHDRAWAL
from govcredit.intake.services import run_batch, submit_rows
from govcredit.ledger.models import LedgerEntry
from govcredit.obligations.tests.helpers import add_obligations
from govcredit.reports.services import issue_report
from govcredit.sanctions.tests.helpers import add_sanctions
from govcredit.testing import City, add_remedies, publish_recent_penalty, rejected_penalty_row
from govcredit.workflow.services import open_case

ROLES = ["credit", "submitter", "personnel", "district", "subject", "public", "thirdparty"]
ALL = set(ROLES)
READERS = {"credit", "submitter", "personnel", "district", "subject"}
CATALOG_READERS = {"credit", "submitter", "personnel", "district"}
COMMITMENT_READERS = {"credit", "submitter", "personnel", "district"}

UrlFor = Callable[[City, str], str]
# (method, OpenAPI path, concrete path for a role, roles allowed)
MATRIX: list[tuple[str, str, UrlFor, set[str]]] = [
    ("GET", "/api/me", lambda c, r: "/api/me", ALL),
    ("GET", "/api/tokens", lambda c, r: "/api/tokens", READERS),
    ("POST", "/api/tokens", lambda c, r: "/api/tokens", READERS),
    ("DELETE", "/api/tokens/{token_id}", lambda c, r: f"/api/tokens/{c.users[r].api_tokens.get().pk}", READERS),
    ("GET", "/api/subjects/orgs", lambda c, r: "/api/subjects/orgs", READERS),
    ("POST", "/api/subjects/orgs", lambda c, r: "/api/subjects/orgs", {"credit", "district"}),
    ("GET", "/api/subjects/orgs/{org_id}", lambda c, r: f"/api/subjects/orgs/{c.orgs['xuanwu'].pk}",
     {"credit", "personnel", "district"}),
    ("PATCH", "/api/subjects/orgs/{org_id}", lambda c, r: f"/api/subjects/orgs/{c.orgs['xuanwu'].pk}",
     {"credit", "district"}),
    ("GET", "/api/subjects/orgs/{org_id}/archive",
     lambda c, r: f"/api/subjects/orgs/{c.orgs['xuanwu'].pk}/archive", {"credit", "personnel", "district"}),
    ("GET", "/api/subjects/people", lambda c, r: "/api/subjects/people", READERS),
    ("GET", "/api/subjects/suggest", lambda c, r: "/api/subjects/suggest?q=南京", READERS),
    ("POST", "/api/subjects/people", lambda c, r: "/api/subjects/people", {"credit", "district"}),
    ("POST", "/api/subjects/people/lookup", lambda c, r: "/api/subjects/people/lookup", {"credit", "personnel"}),
    ("GET", "/api/subjects/people/{person_id}", lambda c, r: f"/api/subjects/people/{c.people['xuanwu'].pk}",
     {"credit", "personnel", "district", "subject"}),
    ("GET", "/api/subjects/people/{person_id}/archive",
     lambda c, r: f"/api/subjects/people/{c.people['xuanwu'].pk}/archive", {"credit", "personnel", "district", "subject"}),
    ("POST", "/api/subjects/people/{person_id}/posts",
     lambda c, r: f"/api/subjects/people/{c.people['xuanwu'].pk}/posts", {"credit", "district"}),
    ("GET", "/api/catalog/types", lambda c, r: "/api/catalog/types", CATALOG_READERS),
    ("GET", "/api/catalog/types/{code}", lambda c, r: "/api/catalog/types/xzcf", CATALOG_READERS),
    ("GET", "/api/catalog/types/{code}/versions/{version}", lambda c, r: "/api/catalog/types/xzcf/versions/1",
     CATALOG_READERS),
    ("POST", "/api/catalog/types/{code}/versions", lambda c, r: "/api/catalog/types/xzcf/versions", {"credit"}),
    ("GET", "/api/records", lambda c, r: "/api/records", READERS),
    ("POST", "/api/records", lambda c, r: "/api/records", {"credit", "submitter", "district"}),
    ("GET", "/api/records/{record_id}", lambda c, r: f"/api/records/{c.records['xuanwu_discipline'].pk}",
     {"credit", "personnel", "district", "subject"}),
    ("POST", "/api/records/{record_id}/correct",
     lambda c, r: f"/api/records/{c.records['xuanwu_discipline'].pk}/correct", {"credit", "district"}),
    ("POST", "/api/records/{record_id}/status",
     lambda c, r: f"/api/records/{c.records['xuanwu_discipline'].pk}/status", {"credit"}),
    ("GET", "/api/intake/batches", lambda c, r: "/api/intake/batches", {"credit", "submitter", "personnel", "district"}),
    ("GET", "/api/intake/templates/{code}", lambda c, r: "/api/intake/templates/xzcf",
     {"credit", "submitter", "personnel", "district"}),
    ("POST", "/api/intake/batches", lambda c, r: "/api/intake/batches", {"credit", "submitter", "district"}),
    ("POST", "/api/intake/batches/upload", lambda c, r: "/api/intake/batches/upload", {"credit", "submitter", "district"}),
    ("GET", "/api/intake/batches/{batch_id}", lambda c, r: f"/api/intake/batches/{c.batch.pk}",
     {"credit", "personnel", "district"}),
    ("GET", "/api/intake/batches/{batch_id}/errors", lambda c, r: f"/api/intake/batches/{c.batch.pk}/errors",
     {"credit", "personnel", "district"}),
    ("GET", "/api/intake/batches/{batch_id}/report", lambda c, r: f"/api/intake/batches/{c.batch.pk}/report",
     {"credit", "personnel", "district"}),
    ("GET", "/api/statistics/summary", lambda c, r: "/api/statistics/summary", ALL),
    ("GET", "/api/statistics/departments", lambda c, r: "/api/statistics/departments", {"credit", "submitter", "district"}),
    ("GET", "/api/indicators/values", lambda c, r: "/api/indicators/values?month=2026-10", {"credit", "submitter", "district"}),
    ("GET", "/api/indicators/warnings", lambda c, r: "/api/indicators/warnings?level=3",
     {"credit", "submitter", "district"}),
    ("GET", "/api/exchange/records", lambda c, r: "/api/exchange/records?purpose=核查&decision_number=x",
     {"credit", "submitter", "personnel", "district"}),
    ("GET", "/api/exchange/exports", lambda c, r: "/api/exchange/exports", {"credit"}),
    ("POST", "/api/exchange/exports", lambda c, r: "/api/exchange/exports", {"credit"}),
    ("GET", "/api/exchange/exports/run", lambda c, r: "/api/exchange/exports/run", {"credit"}),
    ("POST", "/api/exchange/acks", lambda c, r: "/api/exchange/acks", {"credit"}),
    ("GET", "/api/portal/search", lambda c, r: "/api/portal/search?q=张*", ALL),
    ("GET", "/api/portal/records/{pk}", lambda c, r: f"/api/portal/records/{c.publication.pk}", ALL),
    ("GET", "/api/portal/revoked", lambda c, r: "/api/portal/revoked", ALL),
    ("GET", "/api/workflow/inbox", lambda c, r: "/api/workflow/inbox", ALL),
    ("GET", "/api/workflow/cases/{case_id}", lambda c, r: f"/api/workflow/cases/{c.case.pk}",
     {"credit", "personnel", "district"}),
    ("POST", "/api/workflow/cases/{case_id}/transition", lambda c, r: f"/api/workflow/cases/{c.case.pk}/transition",
     {"credit", "personnel", "district"}),
    ("POST", "/api/workflow/cases/{case_id}/evidence", lambda c, r: f"/api/workflow/cases/{c.case.pk}/evidence",
     {"credit", "personnel", "district"}),
    ("POST", "/api/reports/queries", lambda c, r: "/api/reports/queries", {"credit", "personnel"}),
    ("POST", "/api/reports/reveal", lambda c, r: "/api/reports/reveal", {"credit", "personnel"}),
    ("POST", "/api/reports/reports", lambda c, r: "/api/reports/reports", {"credit", "personnel"}),
    ("GET", "/api/reports/reports/{number}", lambda c, r: f"/api/reports/reports/{c.report.number}",
     {"credit", "personnel", "subject"}),
    ("GET", "/api/reports/reports/{number}/pdf", lambda c, r: f"/api/reports/reports/{c.report.number}/pdf",
     {"credit", "personnel", "subject"}),
    ("GET", "/api/reports/audit", lambda c, r: "/api/reports/audit", {"credit"}),
    ("GET", "/api/reports/looked-at-me", lambda c, r: "/api/reports/looked-at-me", ALL),
    ("GET", "/api/reports/verify", lambda c, r: f"/api/reports/verify?number={c.report.number}&code=WRONG", ALL),
    ("GET", "/api/sanctions/catalogue", lambda c, r: "/api/sanctions/catalogue", READERS),
    ("GET", "/api/sanctions/measures", lambda c, r: "/api/sanctions/measures", READERS),
    ("POST", "/api/sanctions/eligibility", lambda c, r: "/api/sanctions/eligibility",
     {"credit", "personnel", "submitter", "district"}),
    ("GET", "/api/sanctions/fault-tolerance", lambda c, r: "/api/sanctions/fault-tolerance", READERS),
    ("POST", "/api/sanctions/fault-tolerance", lambda c, r: "/api/sanctions/fault-tolerance",
     {"subject", "submitter", "district"}),
    ("POST", "/api/sanctions/fault-tolerance/{application_id}/finding",
     lambda c, r: f"/api/sanctions/fault-tolerance/{c.application.pk}/finding", {"credit"}),
    ("GET", "/api/sanctions/rectifications", lambda c, r: "/api/sanctions/rectifications",
     {"credit", "submitter", "district"}),
    ("GET", "/api/sanctions/criticism", lambda c, r: "/api/sanctions/criticism", ALL),
    ("GET", "/api/remedies/objections", lambda c, r: "/api/remedies/objections", ALL),
    ("POST", "/api/remedies/records/{record_id}/objections",
     lambda c, r: f"/api/remedies/records/{c.records['xuanwu_discipline'].pk}/objections", {"subject"}),
    ("GET", "/api/remedies/objections/{objection_id}", lambda c, r: f"/api/remedies/objections/{c.objection.pk}",
     {"credit", "personnel", "district", "subject"}),
    ("POST", "/api/remedies/objections/{objection_id}/act", lambda c, r: f"/api/remedies/objections/{c.objection.pk}/act",
     {"credit", "district"}),
    ("GET", "/api/remedies/repairs", lambda c, r: "/api/remedies/repairs", ALL),
    ("GET", "/api/remedies/repairs/{repair_id}", lambda c, r: f"/api/remedies/repairs/{c.repair.pk}",
     {"credit", "personnel", "district", "subject"}),
    ("POST", "/api/remedies/repairs/{repair_id}/act", lambda c, r: f"/api/remedies/repairs/{c.repair.pk}/act",
     {"credit", "district"}),
    ("GET", "/api/remedies/track", lambda c, r: c.track, ALL),
    ("GET", "/api/commitments/projects", lambda c, r: "/api/commitments/projects", COMMITMENT_READERS),
    ("GET", "/api/commitments/promises", lambda c, r: "/api/commitments/promises", COMMITMENT_READERS),
    ("GET", "/api/commitments/promises/{promise_id}", lambda c, r: f"/api/commitments/promises/{c.promise.pk}",
     {"credit", "personnel", "district"}),
    ("POST", "/api/commitments/promises/{promise_id}/change",
     lambda c, r: f"/api/commitments/promises/{c.promise.pk}/change", {"credit", "district"}),
    ("GET", "/api/obligations", lambda c, r: "/api/obligations", {"credit", "submitter", "district", "subject"}),
    ("GET", "/api/obligations/candidates", lambda c, r: "/api/obligations/candidates", {"credit"}),
    ("GET", "/api/obligations/{obligation_id}", lambda c, r: f"/api/obligations/{c.obligation.pk}",
     {"credit", "district"}),
    ("POST", "/api/obligations/candidates/{candidate_id}/confirm",
     lambda c, r: f"/api/obligations/candidates/{c.candidate.pk}/confirm", {"credit"}),
    ("POST", "/api/obligations/candidates/{candidate_id}/dismiss",
     lambda c, r: f"/api/obligations/candidates/{c.candidate.pk}/dismiss", {"credit"}),
    ("GET", "/api/obligations/complaints", lambda c, r: "/api/obligations/complaints",
     {"credit", "submitter", "district", "subject"}),
    ("POST", "/api/obligations/complaints", lambda c, r: "/api/obligations/complaints", {"credit"}),
    ("GET", "/api/obligations/complaints/{case_id}", lambda c, r: f"/api/obligations/complaints/{c.complaint.pk}",
     {"credit", "district"}),
    ("POST", "/api/obligations/track/complaints", lambda c, r: "/api/obligations/track/complaints", ALL),
    ("POST", "/api/obligations/complaints/{case_id}/act",
     lambda c, r: f"/api/obligations/complaints/{c.complaint.pk}/act", {"credit", "district"}),
    ("GET", "/api/obligations/contracts", lambda c, r: "/api/obligations/contracts",
     {"credit", "submitter", "district", "subject"}),
    ("POST", "/api/obligations/contracts", lambda c, r: "/api/obligations/contracts", {"credit", "submitter", "district"}),
    ("GET", "/api/obligations/contracts/{contract_id}", lambda c, r: f"/api/obligations/contracts/{c.contract.pk}",
     {"credit", "district"}),
    ("POST", "/api/obligations/contracts/{contract_id}/delivery",
     lambda c, r: f"/api/obligations/contracts/{c.contract.pk}/delivery", {"credit", "district"}),
    ("POST", "/api/obligations/contracts/{contract_id}/inspection-delay",
     lambda c, r: f"/api/obligations/contracts/{c.contract.pk}/inspection-delay", {"credit", "district"}),
    ("POST", "/api/obligations/contracts/{contract_id}/settlement",
     lambda c, r: f"/api/obligations/contracts/{c.contract.pk}/settlement", {"credit", "district"}),
    ("POST", "/api/obligations/contracts/{contract_id}/invoices",
     lambda c, r: f"/api/obligations/contracts/{c.contract.pk}/invoices", {"credit", "district"}),
    ("POST", "/api/obligations/contracts/{contract_id}/payments",
     lambda c, r: f"/api/obligations/contracts/{c.contract.pk}/payments", {"credit", "district"}),
]


# Operations for everyone, signed in or not.
PUBLIC_OPERATIONS = {("GET", "/api/statistics/summary"), ("GET", "/api/portal/search"),
                     ("GET", "/api/portal/records/{pk}"), ("GET", "/api/portal/revoked"),
                     ("GET", "/api/reports/verify"), ("GET", "/api/sanctions/criticism"),
                     ("GET", "/api/remedies/track"), ("POST", "/api/obligations/track/complaints")}

# Bodies that pass the schema but not the service, so that the handler's scope check is reached.
BODIES = {
    "/api/records/{record_id}/correct": '{"fields": {}, "reason": "matrix"}',
    "/api/records/{record_id}/status": '{"status": "已撤销", "reason": " "}',
    "/api/workflow/cases/{case_id}/transition": '{"to_state": "不存在的状态", "reason": "matrix"}',
    "/api/remedies/records/{record_id}/objections": '{"ground": "其他", "reasons": " "}',
    "/api/remedies/objections/{objection_id}/act": '{"action": "不存在", "reason": "matrix"}',
    "/api/remedies/repairs/{repair_id}/act": '{"action": "不存在", "reason": "matrix"}',
    "/api/commitments/promises/{promise_id}/change": '{"decided_on": "2026-01-05", "legal_basis": " "}',
    "/api/obligations/complaints/{case_id}/act": '{"action": "不存在", "reason": "matrix"}',
    # a future date: the service refuses it (the contract's milestone is paid from delivery, so no settlement)
    "/api/obligations/contracts/{contract_id}/settlement": '{"milestone_id": 1, "settled_on": "2999-12-31"}',
    "/api/obligations/contracts/{contract_id}/invoices": '{"number": "matrix", "amount": "1", "issued_on": "2999-12-31"}',
    "/api/obligations/contracts/{contract_id}/payments": '{"milestone_id": 1, "amount": "1", "paid_on": "2999-12-31"}',
}


def test_matrix_covers_every_api_operation() -> None:
    operations = {(method.upper(), path) for path, ops in api.get_openapi_schema()["paths"].items() for method in ops}
    assert operations == {(m, p) for m, p, _, _ in MATRIX}


@pytest.fixture
def city_with_batch(city: City, settings: Any, tmp_path: Path) -> City:
    settings.MEDIA_ROOT = tmp_path
    batch = submit_rows([rejected_penalty_row(city)], record_type=RecordType.objects.get(code="xzcf"),
                        org=city.orgs["xuanwu"], actor="test")
    run_batch(batch.pk)
    city.batch = batch
    city.publication = publish_recent_penalty(city).publication
    city.case = open_case(WITHDRAWAL.code, debtor_org=city.orgs["xuanwu"], owed_to="社会公众",
                          basis_text="matrix", reason="matrix")
    city.report, _code = issue_report(city.users["personnel"], city.people["xuanwu"],
                                      purpose="职务晋升", case_reference="matrix", verify_url="http://testserver/")
    add_sanctions(city)
    add_remedies(city)
    add_commitments(city)
    add_obligations(city)
    return city


@pytest.mark.django_db
def test_every_api_operation_with_every_role(city_with_batch: City) -> None:
    city = city_with_batch
    for role in ROLES:
        issue_token(city.users[role], "matrix")
    entries = LedgerEntry.objects.count()
    failures = []
    for role in ROLES:
        client = Client()
        client.force_login(city.users[role])
        for method, template, concrete, allowed in MATRIX:
            url = concrete(city, role)
            body = BODIES.get(template, "{}") if method != "GET" else ""
            response = client.generic(method, url, body, content_type="application/json")
            status = response.status_code
            if role in allowed:
                ok = status in ((200,) if method == "GET" else (200, 201, 400, 422))
            else:
                ok = status in (403, 404)
            if not ok:
                failures.append(f"{role:10} {method:6} {template} → {status}")
    assert not failures, "\n".join(failures)
    assert LedgerEntry.objects.count() == entries, "an empty request must not write anything"


@pytest.mark.django_db
def test_anonymous_gets_401_except_public_operations(city_with_batch: City) -> None:
    city = city_with_batch
    issue_token(city.users["credit"], "matrix")
    for method, template, concrete, _ in MATRIX:
        response = Client().generic(method, concrete(city, "credit"), "{}" if method != "GET" else "",
                                    content_type="application/json")
        # a public write answers the empty body with 422 (it reached the handler's schema, not the login)
        expected = (200 if method == "GET" else 422) if (method, template) in PUBLIC_OPERATIONS else 401
        assert response.status_code == expected, f"{method} {template} → {response.status_code}"
