"""Query-count baselines for every list page and list endpoint (NetBox's ``assertNumQueries`` per list).

Each list is loaded with N more rows than the city has, then with 3N: the number of queries must not
grow. A list that reads a relation per row (a missing ``select_related``/``prefetch_related``, a property
that queries) issues more queries with more rows and fails here, naming the list and both counts.
A new list page or list endpoint adds a line to ``LISTS``; ``test_every_list_is_counted`` fails otherwise.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govcredit.accounts.models import Role
from govcredit.accounts.services import create_user, issue_token, update_user
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status, record_decision
from govcredit.catalog.models import RecordType
from govcredit.catalog.services import CATALOG_FILE, load_catalog
from govcredit.core import clock
from govcredit.disclosure.services import sync
from govcredit.exchange.national import run_export
from govcredit.exchange.shared import log_query
from govcredit.indicators.tests.helpers import grow_districts
from govcredit.intake.services import run_batch, submit_rows
from govcredit.remedies.services import apply_repair, file_objection
from govcredit.reports.models import Purpose, QueryAction
from govcredit.reports.services import log_query as log_archive_query
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.services import register_civil_servant, register_organization
from govcredit.testing import City, penalty_row
from govcredit.workflow.services import open_case

N = 3
serial = itertools.count(1)


ONE_COMPANY = make_credit_code("91", "320100", "MA1Q2W3E4")


def _records(city: City, n: int, *, company: str | None = None) -> list[CreditRecord]:
    """Penalties of 市场监管局 about companies, recent and large enough to be published."""
    version = RecordType.objects.get(code="xzcf").current()
    decided = (clock.today() - dt.timedelta(days=10)).isoformat()
    made = []
    for _ in range(n):
        k = next(serial)
        values = {**penalty_row(city.orgs["scjg"]), "行政相对人名称": f"南京某某贸易有限公司{k}", "行政相对人类别": "法人及非法人组织",
                  "证件类型": "", "证件号码": "",
                  "统一社会信用代码": company or make_credit_code("91", "320100", f"MA{k:07d}"),
                  "行政处罚决定书文号": f"宁市监罚〔2026〕{k}号", "处罚决定日期": decided, "罚款金额（万元）": "2"}
        made.append(record_decision(version, values, issuing_org=city.orgs["scjg"], actor="test"))
    return made


def _one_company(city: City, n: int) -> None:
    """Decisions about one company: what a shared query by its credit code finds."""
    _records(city, n, company=ONE_COMPANY)


def _revoked(city: City, n: int) -> None:
    records = _records(city, n)
    sync()
    for record in records:
        change_status(record, RecordStatus.REVOKED, actor="test", reason="复议撤销")
    sync()


def _types(city: City, n: int) -> None:
    """New record types loaded from a catalog file (copies of 行政许可 under new codes)."""
    template = next(t for t in json.loads(CATALOG_FILE.read_text(encoding="utf-8"))["types"] if t["code"] == "xzxk")
    extra = []
    for _ in range(n):
        k = next(serial)
        extra.append({**template, "code": f"test{k}", "name": f"测试类别{k}"})
    path = Path(tempfile.mkdtemp()) / "extra.json"
    path.write_text(json.dumps({"types": extra}, ensure_ascii=False), encoding="utf-8")
    load_catalog(path)


def _publications(city: City, n: int) -> None:
    _records(city, n)
    sync()


def _orgs(city: City, n: int) -> None:
    for _ in range(n):
        k = next(serial)
        register_organization(name=f"南京市测试局{k}", credit_code=make_credit_code("11", "320100", f"{500 + k:09d}"),
                              org_type="机关", region_code="320100", parent=city.orgs["city"], actor="test")


def _people(city: City, n: int) -> None:
    for _ in range(n):
        k = next(serial)
        register_civil_servant(name=f"测试员{k}", id_number=make_id_number("320102", dt.date(1980, 1, 1)
                                                                          + dt.timedelta(days=k), k),
                               employer=city.orgs["fgw"], post="科员", rank="一级科员", actor="test")


def _batches(city: City, n: int) -> None:
    xzcf = RecordType.objects.get(code="xzcf")
    for _ in range(n):
        k = next(serial)
        row = {**penalty_row(city.orgs["scjg"]), "行政处罚决定书文号": f"宁市监罚〔2025〕{k}号"}
        run_batch(submit_rows([row], record_type=xzcf, org=city.orgs["scjg"], actor="test", user=city.users["submitter"]).pk)


def _query_logs(city: City, n: int) -> None:
    for _ in range(n):
        log_query(city.users["district"], purpose="资格审查", params={"name": "某某"}, result_count=1,
                  auth_method="token", client_ip="127.0.0.1")


def _tokens(city: City, n: int) -> None:
    for _ in range(n):
        issue_token(city.users["credit"], f"令牌{next(serial)}")


def _cases(city: City, n: int) -> None:
    for _ in range(n):
        open_case("disclosure.withdrawal", debtor_org=city.orgs["scjg"], owed_to="社会公众（公开网站）",
                  basis_text="行政处罚法第四十八条", reason=f"测试 {next(serial)}")


def _archive_queries(city: City, n: int) -> None:
    """Purpose-logged looks at 王小明's archive by the personnel department."""
    for _ in range(n):
        log_archive_query(city.users["personnel"], city.people["xuanwu"], action=QueryAction.ARCHIVE,
                          purpose=Purpose.SELECTION, case_reference=f"干审〔2026〕{next(serial)}号")


def _exports(city: City, n: int) -> None:
    for _ in range(n):
        _records(city, 1)
        run_export(operator="credit")


def _breaches(city: City, n: int) -> None:
    """违约毁约 records of 新街口街道: measures, a rectification each, 公开通报批评 (serious ones)."""
    from govcredit.sanctions.tests.helpers import breach

    for _ in range(n):
        breach(city, severity="严重")


def _fault_tolerance(city: City, n: int) -> None:
    from govcredit.sanctions.tests.helpers import breach
    from govcredit.sanctions.workflow import apply_fault_tolerance

    for _ in range(n):
        apply_fault_tolerance(breach(city), actor=city.users["district"], grounds=["及时止损"], statement="测试")


def _users(city: City, n: int) -> None:
    """Users created by the credit office, each then moved to another organisation (entries naming users,
    organisations before and after)."""
    for _ in range(n):
        k = next(serial)
        user = create_user(f"clerk{k}", "Temp-pass-123", role=Role.SUBMITTER, organization=city.orgs["scjg"],
                           actor=city.users["credit"])
        update_user(user, role=Role.SUBMITTER, organization=city.orgs[("xuanwu", "qinhuai")[k % 2]],
                    display_name=f"办事员{k}", actor=city.users["credit"], reason="调动")


def _statistics_records(city: City, n: int) -> list[CreditRecord]:
    """统计造假 findings about 王小明, four months old (open to objection and to repair)."""
    decided = (clock.today() - dt.timedelta(days=124)).isoformat()
    return [record_decision(RecordType.objects.get(code="tjzj").current(), {
        "认定文号": f"玄统认〔2026〕{next(serial)}号", "认定机关": "玄武区统计局", "认定日期": decided,
        "统计违法事实": "虚报统计数据", "严重程度": "一般"}, issuing_org=city.orgs["xuanwu"],
        subject_person=city.people["xuanwu"], actor="test") for _ in range(n)]


def _objections(city: City, n: int) -> None:
    for record in _statistics_records(city, n):
        file_objection(record, ground="其他", reasons="有误", files=[], user=city.users["subject"])


def _repairs(city: City, n: int) -> None:
    for record in _statistics_records(city, n):
        apply_repair(record, user=city.users["subject"], corrected="已纠正", commitment=("c.pdf", b"%PDF-1.4"), files=[])


def _reports(city: City, n: int) -> None:
    """Credit reports on 王小明 issued by the credit office."""
    from govcredit.reports.services import issue_report

    for _ in range(n):
        issue_report(city.users["credit"], city.people["xuanwu"], purpose=Purpose.SELECTION,
                     case_reference=f"干审〔2026〕{next(serial)}号", verify_url="http://testserver/reports/verify/")


def _reviews(city: City, n: int) -> None:
    """任前审查 batches (queued, not run) of the credit office."""
    from govcredit.reports import review
    from govcredit.testing import XUANWU_ID

    for _ in range(n):
        review.submit(city.users["credit"], f"姓名,身份证号\n王小明,{XUANWU_ID}\n".encode(), "a.csv",
                      purpose=Purpose.SELECTION, purpose_text="", case_reference=f"审〔2026〕{next(serial)}号",
                      verify_url="http://testserver/reports/verify/")


def _roster_checks(city: City, n: int) -> None:
    """核查比对 runs of the credit office, each finding a new difference (the post)."""
    from govcredit.reports import roster
    from govcredit.testing import XUANWU_ID

    for _ in range(n):
        lines = ["姓名,身份证号,工作单位,职务,职级,状态",
                 f"王小明,{XUANWU_ID},玄武区新街口街道办事处,副科长{next(serial)},一级科员,在职"]
        roster.compare(city.users["credit"], "\n".join(lines).encode(), "名册.csv")


def _staffed_orgs(city: City, n: int) -> None:
    """Departments with a civil servant each: a row each of the 诚信教育 table."""
    for _ in range(n):
        k = next(serial)
        org = register_organization(name=f"南京市测试局{k}", credit_code=make_credit_code("11", "320100", f"{500 + k:09d}"),
                                    org_type="机关", region_code="320100", parent=city.orgs["city"], actor="test")
        register_civil_servant(name=f"测试员{k}", id_number=make_id_number("320102", dt.date(1980, 1, 1)
                                                                          + dt.timedelta(days=k), k),
                               employer=org, post="科员", rank="一级科员", actor="test")


def _reporting_departments(city: City, n: int) -> None:
    """Departments that each decided a penalty this month, with the statistics refreshed: a row each of the
    rankings (and more figures behind the city-wide summary)."""
    from govcredit.statistics.services import refresh

    version = RecordType.objects.get(code="xzcf").current()
    decided = (clock.today() - dt.timedelta(days=3)).isoformat()
    for _ in range(n):
        k = next(serial)
        org = register_organization(name=f"南京市测试局{k}", credit_code=make_credit_code("11", "320100", f"{500 + k:09d}"),
                                    org_type="机关", region_code="320100", parent=city.orgs["city"], actor="test")
        values = {**penalty_row(org), "行政处罚决定书文号": f"宁测罚〔2026〕{k}号", "处罚决定日期": decided}
        record_decision(version, values, issuing_org=org, actor="test")
    refresh(full=True)


def _projects(city: City, n: int) -> None:
    from govcredit.commitments.tests.helpers import duty, project

    for i in range(n):
        duty(project(city, "xuanwu", f"玄武区第{i}号PPP项目"), clock.today() - dt.timedelta(days=i))


def _promises(city: City, n: int) -> None:
    from govcredit.commitments.tests.helpers import promise

    for i in range(n):
        promise(city, "xuanwu", clock.today() - dt.timedelta(days=400 + i), clock.today() + dt.timedelta(days=i))


def _imports(city: City, n: int) -> None:
    from govcredit.commitments.tests.helpers import add_import_run

    for i in range(n):
        add_import_run(city, file_name=f"导入{i}.xlsx")


def _obligations(city: City, n: int) -> None:
    from govcredit.obligations.services import mark_obligations
    from govcredit.obligations.tests.helpers import owe

    for i in range(n):
        owe(city.orgs["xinjiekou"], clock.today() - dt.timedelta(days=10 + i), person=city.people["xuanwu"])
    mark_obligations()


def _contracts(city: City, n: int) -> None:
    from decimal import Decimal

    from govcredit.obligations.procurement import MilestoneSpec, register_contract

    for _ in range(n):
        k = next(serial)
        register_contract(number=f"计数-HT-{k}", name="办公用品采购", buyer=city.orgs["xinjiekou"],
                          supplier_name="南京某某文具有限公司", supplier_is_sme=True, amount=Decimal("9000"),
                          signed_on=clock.today() - dt.timedelta(days=40), actor="test",
                          delivered_on=clock.today() - dt.timedelta(days=10),
                          milestones=[MilestoneSpec("预付款", Decimal("3000")), MilestoneSpec("尾款", Decimal("6000"))])


def _complaints(city: City, n: int) -> None:
    from govcredit.obligations.tests.helpers import owe
    from govcredit.obligations.workflow import file_complaint

    for i in range(n):
        file_complaint(owe(city.orgs["xinjiekou"], clock.today() - dt.timedelta(days=5 + i)), text="逾期未付款")


Grow = Callable[[City, int], object]  # what it returns is not used
# (what is listed, the role that reads it, the URL, how to add n rows the role sees)
LISTS: list[tuple[str, str, Callable[[], str], Grow]] = [
    ("archive:record_list", "credit", lambda: reverse("archive:record_list"), _records),
    ("subjects:org_list", "credit", lambda: reverse("subjects:org_list"), _orgs),
    ("subjects:person_list", "credit", lambda: reverse("subjects:person_list"), _people),
    ("intake:batch_list", "credit", lambda: reverse("intake:batch_list"), _batches),
    ("exchange:exports", "credit", lambda: reverse("exchange:exports"), _exports),
    ("exchange:query_log", "credit", lambda: reverse("exchange:query_log"), _query_logs),
    ("workflow:inbox", "credit", lambda: reverse("workflow:inbox"), _cases),
    ("catalog:type_list", "credit", lambda: reverse("catalog:type_list"), _types),
    ("reports:audit", "credit", lambda: reverse("reports:audit"), _archive_queries),
    ("accounts:user_list", "credit", lambda: reverse("accounts:user_list"), _users),
    ("ledger:overview", "credit", lambda: reverse("ledger:overview"), _users),
    ("reports:looked_at_me", "subject", lambda: reverse("reports:looked_at_me"), _archive_queries),
    ("portal:search", "public", lambda: reverse("portal:search") + "?q=贸易", _publications),
    ("portal:revoked", "public", lambda: reverse("portal:revoked"), _revoked),
    ("GET /api/records", "credit", lambda: "/api/records", _records),
    ("GET /api/subjects/orgs", "credit", lambda: "/api/subjects/orgs", _orgs),
    ("GET /api/subjects/people", "credit", lambda: "/api/subjects/people", _people),
    ("GET /api/intake/batches", "credit", lambda: "/api/intake/batches", _batches),
    ("GET /api/exchange/records", "credit", lambda: f"/api/exchange/records?purpose=资格审查&credit_code={ONE_COMPANY}",
     _one_company),
    ("GET /api/catalog/types", "credit", lambda: "/api/catalog/types", _types),
    ("GET /api/exchange/exports", "credit", lambda: "/api/exchange/exports", _exports),
    ("GET /api/tokens", "credit", lambda: "/api/tokens", _tokens),
    ("GET /api/workflow/inbox", "credit", lambda: "/api/workflow/inbox", _cases),
    ("GET /api/portal/search", "public", lambda: "/api/portal/search?q=贸易", _publications),
    ("GET /api/portal/revoked", "public", lambda: "/api/portal/revoked", _revoked),
    ("GET /api/reports/audit", "credit", lambda: "/api/reports/audit", _archive_queries),
    ("GET /api/reports/looked-at-me", "subject", lambda: "/api/reports/looked-at-me", _archive_queries),
    ("sanctions:measure_list", "district", lambda: reverse("sanctions:measure_list"), _breaches),
    ("sanctions:fault_tolerance_list", "district", lambda: reverse("sanctions:fault_tolerance_list"), _fault_tolerance),
    ("sanctions:rectification_list", "district", lambda: reverse("sanctions:rectification_list"), _breaches),
    ("criticism:list", "public", lambda: reverse("criticism:list"), _breaches),
    ("GET /api/sanctions/measures", "district", lambda: "/api/sanctions/measures", _breaches),
    ("GET /api/sanctions/fault-tolerance", "district", lambda: "/api/sanctions/fault-tolerance", _fault_tolerance),
    ("GET /api/sanctions/rectifications", "district", lambda: "/api/sanctions/rectifications", _breaches),
    ("GET /api/sanctions/criticism", "public", lambda: "/api/sanctions/criticism", _breaches),
    ("remedies:index", "credit", lambda: reverse("remedies:index"), _objections),
    ("GET /api/remedies/objections", "credit", lambda: "/api/remedies/objections", _objections),
    ("GET /api/remedies/repairs", "credit", lambda: "/api/remedies/repairs", _repairs),
    ("reports:report_list", "credit", lambda: reverse("reports:report_list"), _reports),
    ("reports:reviews", "credit", lambda: reverse("reports:reviews"), _reviews),
    ("reports:rosters", "credit", lambda: reverse("reports:rosters"), _roster_checks),
    ("reports:education", "credit", lambda: reverse("reports:education"), _staffed_orgs),
    ("statistics:public", "public", lambda: reverse("statistics:public"), _reporting_departments),
    ("statistics:internal", "credit", lambda: reverse("statistics:internal"), _reporting_departments),
    ("commitments:project_list", "district", lambda: reverse("commitments:project_list"), _projects),
    ("commitments:promise_list", "district", lambda: reverse("commitments:promise_list"), _promises),
    ("commitments:import_page", "district", lambda: reverse("commitments:import_page"), _imports),
    ("GET /api/commitments/projects", "district", lambda: "/api/commitments/projects", _projects),
    ("GET /api/commitments/promises", "district", lambda: "/api/commitments/promises", _promises),
    ("obligations:list", "district", lambda: reverse("obligations:list"), _obligations),
    ("obligations:candidates", "credit", lambda: reverse("obligations:candidates"), _obligations),
    ("obligations:ranking", "credit", lambda: reverse("obligations:ranking"), _obligations),
    ("GET /api/obligations", "district", lambda: "/api/obligations", _obligations),
    ("GET /api/obligations/candidates", "credit", lambda: "/api/obligations/candidates", _obligations),
    ("obligations:contracts", "district", lambda: reverse("obligations:contracts"), _contracts),
    ("GET /api/obligations/contracts", "district", lambda: "/api/obligations/contracts", _contracts),
    ("obligations:complaints", "district", lambda: reverse("obligations:complaints"), _complaints),
    ("GET /api/obligations/complaints", "district", lambda: "/api/obligations/complaints", _complaints),
    ("indicators:dashboard", "credit", lambda: reverse("indicators:dashboard"), grow_districts),
    ("indicators:warning_list", "credit", lambda: reverse("indicators:warning_list"), grow_districts),
    ("indicators:debt", "credit", lambda: reverse("indicators:debt"), grow_districts),
    ("indicators_public:public", "public", lambda: reverse("indicators_public:public"), grow_districts),
    ("GET /api/indicators/values", "credit", lambda: "/api/indicators/values?indicator=debt_ratio", grow_districts),
    ("GET /api/indicators/warnings", "credit", lambda: "/api/indicators/warnings", grow_districts),
]


#: Pages whose rows are not the grown ones (the public statistics list months, city-wide, of finished months):
#: counted so that more records and departments do not add queries, though their size stays the same.
FIXED_ROWS = {"statistics:public"}


def _count(client: Client, url: str, moment: dt.datetime) -> tuple[int, bytes]:
    """The queries of a request with warm caches but without a cached answer.

    A first request fills what is cached per process or per ledger head (the portal's page fragments);
    the portal's answer cache is then emptied, so the counted request reads the rows. Every request of a
    test is made at the same ``moment``, so the per-minute rate-limit counters stay in one row."""
    with time_machine.travel(moment, tick=False):
        client.get(url)
        caches["portal"].clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(queries), response.content


class TestListQueryCounts:
    """One city for all the lists (built once for the class); each test's rows are rolled back after it."""

    @pytest.mark.parametrize(("name", "role", "url", "grow"), LISTS, ids=[entry[0] for entry in LISTS])
    def test_a_list_does_not_query_per_row(self, shared_city: City, settings: Any, tmp_path: Path, name: str,
                                           role: str, url: Callable[[], str], grow: Grow) -> None:
        settings.MEDIA_ROOT = tmp_path
        moment = clock.now()
        client = Client()
        client.force_login(shared_city.users[role])
        grow(shared_city, N)
        small, before = _count(client, url(), moment)
        grow(shared_city, 2 * N)
        large, after = _count(client, url(), moment)
        if name not in FIXED_ROWS:
            assert len(after) > len(before), f"{name}: the added rows do not reach the list, so it counts nothing"
        assert large <= small, f"{name}: {small} queries with {N} more rows, {large} with {3 * N}: a query per row"


def test_every_list_is_counted() -> None:
    """Every list page of the access matrix and every list endpoint of the API has a baseline here."""
    from govcredit.api.api import api

    counted = {entry[0] for entry in LISTS}
    pages = {"archive:record_list", "subjects:org_list", "subjects:person_list", "intake:batch_list",
             "exchange:exports", "exchange:query_log", "workflow:inbox", "catalog:type_list", "portal:search",
             "portal:revoked", "reports:audit", "reports:looked_at_me", "accounts:user_list", "ledger:overview",
             "reports:report_list", "reports:reviews", "reports:rosters", "reports:education", "statistics:public",
             "statistics:internal", "sanctions:measure_list", "sanctions:fault_tolerance_list",
             "sanctions:rectification_list", "criticism:list", "remedies:index"}
    assert pages <= counted
    schema = api.get_openapi_schema()
    lists = {f"GET {path}" for path, ops in schema["paths"].items() if "get" in ops and "{" not in path
             and _is_list(ops["get"])}
    assert len(lists) > 10, lists  # the detection itself works
    assert lists - counted == set(), f"list endpoints without a query-count baseline: {sorted(lists - counted)}"


def _is_list(operation: dict[str, Any]) -> bool:
    """A GET whose answer is an array, a page of items (``items``) or an inbox/search answer listing rows."""
    responses = operation.get("responses", {})
    content = (responses.get(200) or responses.get("200") or {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    ref = schema.get("$ref", "")
    return schema.get("type") == "array" or "Paged" in ref or ref.endswith(("InboxOut", "SearchOut", "RevokedPageOut"))
