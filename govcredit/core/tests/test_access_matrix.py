"""Every page of the URL conf with every role: allowed pages render; the others answer the documented denial.

The pages are found by walking the URL conf (:func:`_url_names`), not from a list: a new page that is in
none of the tables below fails ``test_matrix_covers_every_page``. A role is refused a page its role may
not use with 403; a page its role may use, but about an object outside its scope, answers 404 (the same
as a page that does not exist). Exceptions to that rule are listed, with their reason, in ``DENIALS``.
A visitor who has not logged in is sent to the login page (``ANONYMOUS`` lists the exceptions).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from govcredit.catalog.models import RecordType
from govcredit.commitments.tests.helpers import add_commitments
from govcredit.disclosure.models import Publication
from govcredit.disclosure.tests.portal_data import code, penalty, publish
from govcredit.exchange.national import run_export
from govcredit.indicators.tests.helpers import add_indicators
from govcredit.intake.services import run_batch, submit_rows
from govcredit.obligations.tests.helpers import add_obligations
from govcredit.reports import review, roster
from govcredit.reports.models import QueryAction
from govcredit.reports.services import issue_report, log_query
from govcredit.sanctions.tests.helpers import add_sanctions
from govcredit.testing import City, add_remedies, publish_recent_penalty, rejected_penalty_row

ROLES = ["credit", "submitter", "personnel", "district", "subject", "public", "thirdparty"]
ALL = set(ROLES)
READERS = {"credit", "submitter", "personnel", "district", "subject"}


def _export_file_name(c: City) -> str:
    file = c.export.files.first()
    assert file is not None
    return file.name


# (url name, args from the city, roles that get 200); every other role must get 403 or 404.
MATRIX: list[tuple[str, Callable[[City], list[object]], set[str]]] = [
    ("core:home", lambda c: [], ALL),
    ("subjects:org_list", lambda c: [], READERS),
    ("subjects:org_detail", lambda c: [c.orgs["xuanwu"].pk], {"credit", "personnel", "district"}),
    ("subjects:org_detail", lambda c: [c.orgs["qinhuai"].pk], {"credit", "personnel"}),
    ("subjects:org_detail", lambda c: [c.orgs["scjg"].pk], {"credit", "personnel", "submitter"}),
    ("subjects:org_children", lambda c: [c.orgs["xuanwu"].pk], {"credit", "personnel", "district"}),
    ("subjects:org_children", lambda c: [c.orgs["qinhuai"].pk], {"credit", "personnel"}),
    ("subjects:org_edit", lambda c: [c.orgs["xuanwu"].pk], {"credit", "district"}),
    ("subjects:org_edit", lambda c: [c.orgs["qinhuai"].pk], {"credit"}),
    ("subjects:org_create", lambda c: [c.orgs["xuanwu"].pk], {"credit", "district"}),
    ("subjects:org_create", lambda c: [c.orgs["qinhuai"].pk], {"credit"}),
    ("subjects:person_create", lambda c: [c.orgs["xinjiekou"].pk], {"credit", "district"}),
    ("subjects:person_list", lambda c: [], READERS),
    ("subjects:person_detail", lambda c: [c.people["xuanwu"].pk], {"credit", "personnel", "district", "subject"}),
    ("subjects:person_detail", lambda c: [c.people["qinhuai"].pk], {"credit", "personnel"}),
    ("subjects:person_edit", lambda c: [c.people["xuanwu"].pk], {"credit", "district"}),
    ("subjects:person_edit", lambda c: [c.people["qinhuai"].pk], {"credit"}),
    ("archive:record_list", lambda c: [], READERS),
    ("archive:record_detail", lambda c: [c.records["xuanwu_discipline"].pk], {"credit", "personnel", "district", "subject"}),
    ("archive:record_detail", lambda c: [c.records["qinhuai_penalty"].pk], {"credit", "personnel"}),
    ("archive:record_create", lambda c: [], {"credit", "submitter", "district"}),
    ("archive:record_correct", lambda c: [c.records["xuanwu_discipline"].pk], {"credit", "district"}),
    ("archive:record_correct", lambda c: [c.records["qinhuai_penalty"].pk], {"credit"}),
    ("catalog:type_list", lambda c: [], {"credit", "submitter", "personnel", "district"}),
    ("catalog:type_detail", lambda c: ["xzcf"], {"credit", "submitter", "personnel", "district"}),
    ("catalog:version_create", lambda c: ["xzcf"], {"credit"}),
    ("ledger:overview", lambda c: [], {"credit"}),
    ("intake:batch_list", lambda c: [], {"credit", "submitter", "personnel", "district"}),
    ("intake:upload", lambda c: [], {"credit", "submitter", "district"}),
    ("intake:template", lambda c: ["xzcf"], {"credit", "submitter", "personnel", "district"}),
    ("intake:batch_detail", lambda c: [c.batch.pk], {"credit", "personnel", "district"}),
    ("intake:batch_status", lambda c: [c.batch.pk], {"credit", "personnel", "district"}),
    ("intake:batch_report", lambda c: [c.batch.pk], {"credit", "personnel", "district"}),
    ("statistics:internal", lambda c: [], {"credit", "submitter", "district"}),
    ("statistics:internal_export", lambda c: [], {"credit", "submitter", "district"}),
    ("exchange:exports", lambda c: [], {"credit"}),
    ("exchange:export_detail", lambda c: [c.export.pk], {"credit"}),
    ("exchange:export_file", lambda c: [c.export.pk, _export_file_name(c)], {"credit"}),
    ("exchange:query_log", lambda c: [], {"credit"}),
    ("workflow:inbox", lambda c: [], ALL),  # every user has an inbox (empty for roles nothing waits for)
    ("sanctions:catalogue", lambda c: [], READERS),
    ("sanctions:measure_edit", lambda c: ["gktb"], {"credit"}),
    ("sanctions:rule_edit", lambda c: ["org-dishonest"], {"credit"}),
    ("sanctions:measure_list", lambda c: [], READERS),
    ("sanctions:measure_detail", lambda c: [c.measure.pk], {"credit", "personnel", "district"}),
    ("sanctions:fault_tolerance_list", lambda c: [], READERS),
    ("sanctions:fault_tolerance_apply", lambda c: [c.breach.pk], {"district"}),
    ("sanctions:case", lambda c: [c.rectification.pk], {"credit", "personnel", "district"}),
    ("sanctions:rectification_list", lambda c: [], {"credit", "submitter", "district"}),
    ("sanctions:rectification_export", lambda c: [], {"credit", "submitter", "district"}),
    ("sanctions:eligibility", lambda c: [], {"credit", "submitter", "personnel", "district"}),
    ("sanctions:eligibility_batch", lambda c: [], {"credit", "submitter", "personnel", "district"}),
    ("accounts:password_change", lambda c: [], ALL),
    ("accounts:user_list", lambda c: [], {"credit"}),
    ("accounts:user_create", lambda c: [], {"credit"}),
    ("accounts:user_detail", lambda c: [c.users["district"].pk], {"credit"}),
    ("accounts:org_search", lambda c: [], {"credit"}),
    ("reports:find", lambda c: [], {"credit", "personnel"}),
    ("reports:purpose", lambda c: ["person", c.people["xuanwu"].pk], {"credit", "personnel"}),
    ("reports:purpose", lambda c: ["org", c.orgs["qinhuai"].pk], {"credit", "personnel"}),
    ("reports:archive", lambda c: [c.query.pk], {"personnel"}),  # only the user who stated the purpose
    ("reports:report_list", lambda c: [], {"credit", "personnel", "subject"}),
    ("reports:report", lambda c: [c.report.number], {"credit", "personnel", "subject"}),
    ("reports:report_pdf", lambda c: [c.report.number], {"credit", "personnel", "subject"}),
    ("reports:audit", lambda c: [], {"credit"}),
    ("reports:looked_at_me", lambda c: [], {"subject"}),
    ("reports:education", lambda c: [], {"credit", "personnel", "district", "submitter"}),
    ("reports:reviews", lambda c: [], {"credit", "personnel"}),
    ("reports:rosters", lambda c: [], {"credit"}),
    ("reports:roster_detail", lambda c: [c.roster.pk], {"credit"}),
    ("reports:review_detail", lambda c: [c.review.pk], {"credit", "personnel"}),
    ("reports:review_status", lambda c: [c.review.pk], {"credit", "personnel"}),
    ("reports:review_file", lambda c: [c.review.pk, "xlsx"], {"credit", "personnel"}),
    ("remedies:index", lambda c: [], READERS),
    ("remedies:objection_create", lambda c: [c.records["xuanwu_discipline"].pk], {"subject"}),
    ("remedies:objection_create", lambda c: [c.records["qinhuai_penalty"].pk], set()),
    ("remedies:repair_create", lambda c: [c.repairable.pk], {"subject"}),
    ("remedies:commitment", lambda c: [c.repairable.pk], {"subject"}),
    ("remedies:commitment_pdf", lambda c: [c.repairable.pk], {"subject"}),
    ("remedies:objection_detail", lambda c: [c.objection.pk], {"credit", "personnel", "district", "subject"}),
    ("remedies:repair_detail", lambda c: [c.repair.pk], {"credit", "personnel", "district", "subject"}),
    ("remedies:file", lambda c: [c.repair.files.get().pk], {"credit", "personnel", "district", "subject"}),
    ("commitments:project_list", lambda c: [], {"credit", "submitter", "personnel", "district"}),
    ("commitments:project_create", lambda c: [], {"credit", "submitter", "district"}),
    ("commitments:project_detail", lambda c: [c.project.pk], {"credit", "personnel", "district"}),
    ("commitments:project_detail", lambda c: [c.qinhuai_project.pk], {"credit", "personnel"}),
    ("commitments:duty_detail", lambda c: [c.duty.pk], {"credit", "personnel", "district"}),
    ("commitments:promise_list", lambda c: [], {"credit", "submitter", "personnel", "district"}),
    ("commitments:promise_create", lambda c: [], {"credit", "submitter", "district"}),
    ("commitments:promise_detail", lambda c: [c.promise.pk], {"credit", "personnel", "district"}),
    ("commitments:promise_detail", lambda c: [c.qinhuai_promise.pk], {"credit", "personnel"}),
    ("commitments:promise_change", lambda c: [c.promise.pk], {"credit", "district"}),
    ("commitments:promise_change", lambda c: [c.qinhuai_promise.pk], {"credit"}),
    ("commitments:promise_compensation", lambda c: [c.promise.pk], {"credit", "district"}),
    ("commitments:import_page", lambda c: [], {"credit", "submitter", "district"}),
    ("commitments:import_template", lambda c: [], {"credit", "submitter", "district"}),
    ("commitments:import_report", lambda c: [c.commitment_import.pk], {"credit", "district"}),
    ("commitments:import_run", lambda c: [c.commitment_job.pk], {"credit", "district"}),
    ("obligations:list", lambda c: [], {"credit", "submitter", "district", "subject"}),
    ("obligations:detail", lambda c: [c.obligation.pk], {"credit", "district"}),
    ("obligations:candidates", lambda c: [], {"credit"}),
    ("obligations:candidate", lambda c: [c.candidate.pk], {"credit"}),
    ("obligations:ranking", lambda c: [], {"credit"}),
    ("obligations:overdue_lists", lambda c: [], {"credit", "submitter", "district", "subject"}),
    ("obligations:contracts", lambda c: [], {"credit", "submitter", "district", "subject"}),
    ("obligations:contract_create", lambda c: [], {"credit", "submitter", "district"}),
    ("obligations:contract", lambda c: [c.contract.pk], {"credit", "district"}),
    ("obligations:complaints", lambda c: [], {"credit", "submitter", "district", "subject"}),
    ("obligations:complaint_create", lambda c: [], {"credit"}),
    ("obligations:complaint", lambda c: [c.complaint.pk], {"credit", "district"}),
    ("indicators:dashboard", lambda c: [], {"credit", "submitter", "district"}),
    ("indicators:subject", lambda c: [c.orgs["xuanwu"].pk], {"credit", "district"}),
    ("indicators:subject", lambda c: [c.orgs["qinhuai"].pk], {"credit"}),
    ("indicators:value", lambda c: [c.ind_value["xuanwu"].pk], {"credit", "district"}),
    ("indicators:value", lambda c: [c.ind_value["qinhuai"].pk], {"credit"}),
    ("indicators:warning_list", lambda c: [], {"credit", "submitter", "district"}),
    ("indicators:warning", lambda c: [c.ind_warning["xuanwu"].pk], {"credit", "district"}),
    ("indicators:warning", lambda c: [c.ind_warning["qinhuai"].pk], {"credit"}),
    ("indicators:enter", lambda c: [], {"credit", "submitter", "district"}),
    ("indicators:import", lambda c: [], {"credit", "submitter", "district"}),
    ("indicators:rules", lambda c: [], {"credit", "submitter", "district"}),
    ("indicators:debt", lambda c: [], {"credit", "submitter", "district"}),
    ("indicators:debt_detail", lambda c: [c.orgs["xuanwu"].pk], {"credit", "district"}),
    ("indicators:debt_detail", lambda c: [c.orgs["qinhuai"].pk], {"credit"}),
    ("indicators:tenure", lambda c: [c.orgs["qinhuai"].pk], {"credit", "personnel"}),
]
# Public pages: everyone, signed in or not.
PUBLIC: list[tuple[str, Callable[[City], list[object]]]] = [
    ("statistics:public", lambda c: []),
    ("statistics:public_export", lambda c: []),
    ("exchange:open_data", lambda c: []),
    ("exchange:data_dictionary", lambda c: []),
    ("exchange:open_data_download", lambda c: ["csv"]),
    ("portal:landing", lambda c: []),
    ("portal:search", lambda c: []),
    ("portal:revoked", lambda c: []),
    ("portal:detail", lambda c: [c.publication.pk]),
    ("criticism:list", lambda c: []),
    ("portal:subject", lambda c: [c.company_publication.credit_code]),
    ("reports:verify", lambda c: []),
    ("remedies:portal_objection", lambda c: [c.publication.pk]),
    ("remedies:track", lambda c: []),
    ("commitments:follow", lambda c: []),
    ("obligations:track", lambda c: []),
    ("indicators_public:public", lambda c: []),
]
# POST-only pages: allowed roles are redirected back, the others refused.
POST_MATRIX: list[tuple[str, Callable[[City], list[object]], set[str]]] = [
    ("intake:batch_rerun", lambda c: [c.batch.pk], {"credit", "district"}),
    ("statistics:refresh", lambda c: [], {"credit"}),
    ("exchange:ack_upload", lambda c: [], {"credit"}),
    ("sanctions:case_transition", lambda c: [c.rectification.pk], {"credit", "personnel", "district"}),
    ("sanctions:case_evidence", lambda c: [c.rectification.pk], {"credit", "personnel", "district"}),
    ("sanctions:case_finding", lambda c: [c.application.case_id], {"credit"}),
    ("exchange:export_start", lambda c: [], {"credit"}),
    ("reports:reveal", lambda c: [c.query.pk], {"personnel"}),
    ("reports:issue", lambda c: [c.query.pk], {"personnel"}),
    ("reports:roster_resolve", lambda c: [c.roster.findings.get().pk], {"credit"}),
    ("accounts:user_edit", lambda c: [c.users["district"].pk], {"credit"}),
    ("accounts:user_password_reset", lambda c: [c.users["district"].pk], {"credit"}),
    ("accounts:user_active", lambda c: [c.users["district"].pk], {"credit"}),
    ("commitments:project_advance", lambda c: [c.project.pk], {"credit", "district"}),
    ("commitments:duty_add", lambda c: [c.project.pk], {"credit", "district"}),
    ("commitments:promise_keep", lambda c: [c.promise.pk], {"credit", "district"}),
    ("obligations:contract_delivery", lambda c: [c.contract.pk], {"credit", "district"}),
    ("obligations:contract_delay", lambda c: [c.contract.pk], {"credit", "district"}),
    ("obligations:contract_settlement", lambda c: [c.contract.pk], {"credit", "district"}),
    ("obligations:contract_invoice", lambda c: [c.contract.pk], {"credit", "district"}),
    ("obligations:contract_payment", lambda c: [c.contract.pk], {"credit", "district"}),
]
# Pages with a behaviour of their own, tested where that behaviour is: (url name, why).
SPECIAL: dict[str, str] = {
    "accounts:login": "open to everyone; a logged-in user is sent on to the home page (accounts/tests)",
    "accounts:logout": "POST only, for everyone (accounts/tests)",
    "set_language": "Django's language switch, a POST for everyone",
    "indicators:publish_rule": "POST with a rule version's lines, credit office only (indicators/tests/test_pages.py)",
}
# Denials other than the rule (403 for the role, 404 out of scope): {(url name, role): status}.
DENIALS: dict[tuple[str, str], int] = {}
# Where a visitor who has not logged in goes instead of the login page: {url name: URL name of the target}.
ANONYMOUS = {"core:home": "portal:landing"}  # the front door: the public portal, where staff log in
# The JSON API has its own matrix (test_api_access_matrix.py) built from its OpenAPI schema.
API_PREFIX = "api/"


def _url_names(patterns: list[URLPattern | URLResolver] | None = None, namespace: str = "",
               prefix: str = "") -> dict[str, str]:
    """Every page of the URL conf: {qualified name: route}; a page without a name is reported by route."""
    names: dict[str, str] = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(API_PREFIX):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry.url_patterns, inner, route)
        else:
            names[f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"] = route
    return names


def test_matrix_covers_every_page() -> None:
    covered = {row[0] for row in MATRIX} | {row[0] for row in POST_MATRIX} | {row[0] for row in PUBLIC} | set(SPECIAL)
    pages = _url_names()
    assert not set(pages) - covered, f"pages in no table of this file: {sorted(set(pages) - covered)}"
    assert not covered - set(pages), f"tables name pages the URL conf lacks: {sorted(covered - set(pages))}"
    assert {name for name, _role in DENIALS} | set(ANONYMOUS) <= covered


def _denials(name: str, role: str, args: list[object]) -> set[int]:
    """The documented answers to ``role`` for a row it does not get: a page about no object refuses the
    role (403); a page about an object answers 404 when the object is outside what the role may see (for
    a role that sees nothing, every object) and 403 when it may see it but not do this. ``DENIALS``
    overrides."""
    if (name, role) in DENIALS:
        return {DENIALS[name, role]}
    return {403, 404} if args else {403}


@pytest.fixture
def city_with_batch(city: City, settings: Any, tmp_path: Path) -> City:
    """The city plus an intake batch of 玄武区 with one rejected row (so it has an error report)."""
    settings.MEDIA_ROOT = tmp_path
    batch = submit_rows([rejected_penalty_row(city)], record_type=RecordType.objects.get(code="xzcf"),
                        org=city.orgs["xuanwu"], actor="test")
    run_batch(batch.pk)
    city.batch = batch
    city.publication = publish_recent_penalty(city).publication
    company = penalty(city, "玄市监罚〔2026〕501号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(501))
    publish()
    city.company_publication = Publication.objects.get(record=company)
    city.export = run_export(operator="credit", everything=True)
    add_sanctions(city)
    city.query = log_query(city.users["personnel"], city.people["xuanwu"], action=QueryAction.ARCHIVE,
                           purpose="职务晋升", case_reference="matrix")
    city.report, _code = issue_report(city.users["personnel"], city.people["xuanwu"],
                                      purpose="职务晋升", case_reference="matrix", verify_url="http://testserver/")
    city.review = review.submit(city.users["personnel"], "姓名,身份证号\n王小明,x\n".encode(), "a.csv",
                                purpose="选拔任用", purpose_text="", case_reference="matrix", verify_url="http://t/")
    review.run(city.review.pk)
    city.roster = roster.compare(city.users["credit"], "姓名,身份证号,工作单位\n甲,123,某单位\n".encode(),
                                 "roster.csv")
    add_remedies(city)
    add_commitments(city)
    add_obligations(city)
    add_indicators(city)
    return city


@pytest.mark.django_db
def test_every_page_with_every_role(city_with_batch: City) -> None:
    city = city_with_batch
    failures = []
    for role in ROLES:
        client = Client()
        client.force_login(city.users[role])
        for name, args, allowed in MATRIX:
            values = args(city)
            url = reverse(name, args=values)
            status = client.get(url).status_code
            expected = {200} if role in allowed else _denials(name, role, values)
            if status not in expected:
                failures.append(f"{role} {url} → {status}, expected {expected}")
        for name, args, allowed in POST_MATRIX:
            values = args(city)
            url = reverse(name, args=values)
            status = client.post(url).status_code
            expected = {200, 302} if role in allowed else _denials(name, role, values)
            if status not in expected:
                failures.append(f"{role} POST {url} → {status}, expected {expected}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(city_with_batch: City) -> None:
    client = Client()
    requests: list[tuple[Callable[[str], HttpResponseBase], str, Callable[[City], list[object]]]]
    requests = [(client.get, name, args) for name, args, _ in MATRIX]
    requests += [(client.post, name, args) for name, args, _ in POST_MATRIX]
    for send, name, args in requests:
        response = send(reverse(name, args=args(city_with_batch)))
        target = reverse(ANONYMOUS[name]) if name in ANONYMOUS else reverse("accounts:login")
        assert response.status_code == 302 and response["Location"].split("?")[0] == target, name


@pytest.mark.django_db
def test_public_pages_need_no_login(city_with_batch: City) -> None:
    for client in (Client(), *(_signed_in(city_with_batch, role) for role in ROLES)):
        for name, args in PUBLIC:
            assert client.get(reverse(name, args=args(city_with_batch))).status_code == 200, name


def _signed_in(city: City, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


@pytest.mark.django_db
def test_district_cannot_change_outside_its_district(city: City) -> None:
    client = Client()
    client.force_login(city.users["district"])
    qinhuai = city.orgs["qinhuai"]
    response = client.post(reverse("subjects:org_edit", args=[qinhuai.pk]),
                           {"name": "改名", "org_type": "机关", "region_code": "320104", "reason": "试图越权"})
    assert response.status_code in (403, 404)
    qinhuai.refresh_from_db()
    assert qinhuai.name == "南京市秦淮区人民政府"
    response = client.post(reverse("archive:record_detail", args=[city.records["xuanwu_discipline"].pk]),
                           {"status": "已撤销", "reason": "越权撤销"})
    assert response.status_code == 403
