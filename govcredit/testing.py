"""A small city for tests: built only through the services, as the application builds it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from django.http import HttpResponseBase, StreamingHttpResponse

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.catalog.services import load_catalog
from govcredit.core import clock
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.services import register_civil_servant, register_organization

if TYPE_CHECKING:
    from django.test import Client

    from govcredit.commitments.models import CommitmentImport, Duty, ImportJob, PPPProject, Promise
    from govcredit.disclosure.models import Publication
    from govcredit.exchange.models import ExchangeExport
    from govcredit.indicators.models import IndicatorValue, IndicatorWarning
    from govcredit.intake.models import ImportBatch
    from govcredit.obligations.models import BreachCandidate, Contract, Obligation
    from govcredit.remedies.models import Objection, Repair
    from govcredit.reports.models import ArchiveQuery, CreditReport, ReviewBatch, RosterCheck
    from govcredit.sanctions.models import AppliedMeasure, FaultToleranceApplication
    from govcredit.workflow.models import Case

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")
PASSWORD = "Test-Passw0rd!"  # noqa: S105 - test users only
XUANWU_ID = make_id_number("320102", dt.date(1985, 6, 15), 123)
QINHUAI_ID = make_id_number("320104", dt.date(1979, 11, 2), 456)
COUNTERPARTY_ID = make_id_number("320106", dt.date(1990, 1, 1), 789)
ZHANG_ID = make_id_number("320102", dt.date(1980, 5, 17), 123)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def on_day(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment in the working hours of ``day`` in Nanjing: ``pytest.mark.time_machine(on_day(...))``
    sets the project's clock for a test that needs a particular day."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


class _Added:
    """What the test helpers add to a city, declared (not set) so that the tests using them are
    type-checked: each is set by the helper named beside it, and reading one before it ran raises
    AttributeError. Not dataclass fields (this base is not a dataclass): ``City()`` takes none of them."""

    # add_remedies (and remedies/tests/test_scope.py)
    repairable: CreditRecord
    objection: Objection
    repair: Repair
    # core/tests/test_access_matrix.py and test_api_access_matrix.py
    batch: ImportBatch
    publication: Publication
    company_publication: Publication
    export: ExchangeExport
    query: ArchiveQuery
    report: CreditReport
    review: ReviewBatch
    roster: RosterCheck
    case: Case
    # sanctions/tests/helpers.py add_sanctions
    breach: CreditRecord
    measure: AppliedMeasure
    rectification: Case
    application: FaultToleranceApplication
    # commitments/tests/helpers.py add_commitments (old_*: commitments/tests/test_commitments.py)
    project: PPPProject
    duty: Duty
    promise: Promise
    promise_code: str
    qinhuai_project: PPPProject
    qinhuai_promise: Promise
    commitment_import: CommitmentImport
    commitment_job: ImportJob
    old_promise: Promise
    old_duty: Duty
    # obligations/tests/helpers.py add_obligations
    obligation: Obligation
    obligation_code: str
    candidate: BreachCandidate
    contract: Contract
    complaint: Case
    # indicators/tests/helpers.py add_indicators: {"xuanwu" | "qinhuai": the district's debt ratio}
    ind_value: dict[str, IndicatorValue]
    ind_warning: dict[str, IndicatorWarning]
    # reports/tests/test_sections.py
    person_report: CreditReport
    person_code: str
    org_report: CreditReport
    org_code: str


@dataclass
class City(_Added):
    orgs: dict[str, Organization] = field(default_factory=dict)
    people: dict[str, CivilServant] = field(default_factory=dict)
    records: dict[str, CreditRecord] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    track: str = ""  # add_remedies: the objection's tracking URL


def _org(city: City, key: str, name: str, prefix: str, region: str, serial: int, org_type: str,
         parent: str | None) -> None:
    code = make_credit_code(prefix, region, f"{serial:09d}")
    city.orgs[key] = register_organization(name=name, credit_code=code, org_type=org_type, region_code=region,
                                           parent=city.orgs[parent] if parent else None, actor="test")


def penalty_row(authority: Organization) -> dict[str, str]:
    """A 行政处罚 about a natural person, in the national 双公示 columns."""
    return {
        "行政相对人名称": "张三丰", "行政相对人类别": "自然人", "证件类型": "身份证", "证件号码": COUNTERPARTY_ID,
        "行政处罚决定书文号": "秦市监罚〔2025〕12号", "违法行为类型": "无照经营", "违法事实": "未取得营业执照从事经营活动",
        "处罚依据": "《无证无照经营查处办法》第十三条", "处罚类别": "罚款", "处罚内容": "罚款人民币五千元",
        "罚款金额（万元）": "0.5", "处罚决定日期": "2025-06-01", "处罚机关": "南京市秦淮区市场监督管理局",
        "处罚机关统一社会信用代码": authority.credit_code, "严重程度": "一般",
    }


def rejected_penalty_row(city: City) -> dict[str, str]:
    """A row every column of which is present but whose 处罚类别 is not a statutory one."""
    return {**penalty_row(city.orgs["xuanwu"]), "行政处罚决定书文号": "玄市监罚〔2025〕99号", "处罚类别": "罚站"}


def publish_recent_penalty(city: City) -> CreditRecord:
    """A penalty decided ten days ago, put on the public portal by the disclosure job."""
    from govcredit.disclosure.services import sync

    decided = (clock.today() - dt.timedelta(days=10)).isoformat()
    values = {**penalty_row(city.orgs["xuanwu"]), "行政处罚决定书文号": "玄市监罚〔2026〕101号", "处罚决定日期": decided,
              "罚款金额（万元）": "2"}
    record = record_decision(RecordType.objects.get(code="xzcf").current(), values, issuing_org=city.orgs["xuanwu"],
                             actor="test")
    sync()
    return record


def store_unreadable_amount(record: CreditRecord, amount: str = "10000000000") -> None:
    """Write behind the application an amount the archive cannot read back, as main saved
    ``9999999999.9999999`` before issue 8 (reading the row then raises ``decimal.InvalidOperation``):
    for tests of jobs and checks that must name such a row and go on with the others.

    SQLite only (its REAL column takes anything); PostgreSQL's numeric(16,6) refuses the value itself.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CreditRecord._meta.db_table} SET amount = %s WHERE id = %s", [float(amount), record.pk])


def streamed(response: HttpResponseBase) -> bytes:
    """The body of a streamed answer (a download). The test client hands back the view's own
    StreamingHttpResponse / FileResponse, though django-stubs types every client answer as HttpResponse."""
    assert isinstance(response, StreamingHttpResponse), type(response)
    return response.getvalue()


def client_for(user: User, *, token: bool = False) -> Client:
    """A Django test client signed in as ``user``: by session, or (``token=True``) by an API token."""
    from django.test import Client

    from govcredit.accounts.services import issue_token

    if token:
        _, key = issue_token(user, f"测试 {user.username}")
        return Client(headers={"authorization": f"Bearer {key}"})
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def company_penalty_row(number: str, authority: Organization, **extra: str) -> dict[str, str]:
    """A 行政处罚 about a company, in the national 双公示 columns."""
    row = {**penalty_row(authority), "行政相对人名称": "南京某某商贸有限公司", "行政相对人类别": "法人及非法人组织",
           "统一社会信用代码": make_credit_code("91", "320102", "MA1X2Y3W4"), "行政处罚决定书文号": number,
           "处罚机关": authority.name, **extra}
    del row["证件类型"], row["证件号码"]
    return row


def add_district_bureaus(city: City) -> City:
    """Two district market regulators with what the API's scope tests look at, added to ``city``:

    - orgs ``xuanwu_scjg`` (玄武区市场监督管理局, under 玄武区) and ``qinhuai_scjg`` (秦淮区市场监督管理局, under 秦淮区);
    - person ``zhang`` (张玄武, works at ``xuanwu_scjg``);
    - records ``xuanwu_scjg_penalty`` (a penalty of ``xuanwu_scjg`` about a natural person, the counterparty),
      ``qinhuai_scjg_penalty`` (a penalty of ``qinhuai_scjg`` about a company), ``xuanwu_scjg_accountability``
      (an accountability decision about ``xuanwu_scjg`` by 玄武区) and ``qinhuai_discipline`` (a discipline of
      李秦淮 by 秦淮区);
    - users ``xuanwu_scjg`` (submitter of ``xuanwu_scjg``), ``xuanwu_scjg_self`` (the bureau as a subject) and
      ``zhang`` (张玄武 as a subject).
    """
    _org(city, "xuanwu_scjg", "玄武区市场监督管理局", "11", "320102", 31, "机关", "xuanwu")
    _org(city, "qinhuai_scjg", "秦淮区市场监督管理局", "11", "320104", 32, "机关", "qinhuai")
    bureau_a, bureau_b = city.orgs["xuanwu_scjg"], city.orgs["qinhuai_scjg"]
    city.people["zhang"] = register_civil_servant(name="张玄武", id_number=ZHANG_ID, employer=bureau_a, post="科长",
                                                  rank="一级主任科员", start_date=dt.date(2015, 7, 1), actor="test")
    xzcf = RecordType.objects.get(code="xzcf").current()
    city.records["xuanwu_scjg_penalty"] = record_decision(xzcf, {
        **penalty_row(bureau_a), "行政处罚决定书文号": "玄市监罚〔2024〕1号", "处罚决定日期": "2024-03-05",
        "处罚机关": bureau_a.name}, issuing_org=bureau_a, actor="test")
    city.records["qinhuai_scjg_penalty"] = record_decision(
        xzcf, company_penalty_row("秦市监罚〔2024〕7号", bureau_b, 处罚决定日期="2024-06-01"), issuing_org=bureau_b,
        actor="test")
    city.records["xuanwu_scjg_accountability"] = record_decision(
        RecordType.objects.get(code="wzcl").current(), {
            "问责决定文号": "玄委问〔2023〕2号", "问责机关": "玄武区人民政府", "问责决定日期": "2023-10-08",
            "问责方式": "通报", "问责事由": "履职不力"}, issuing_org=city.orgs["xuanwu"], subject_org=bureau_a, actor="test")
    city.records["qinhuai_discipline"] = record_decision(
        RecordType.objects.get(code="jlcf").current(), {
            "处分决定文号": "秦纪处〔2022〕5号", "处分机关": "秦淮区纪委", "处分决定日期": "2022-12-20", "处分种类": "警告",
            "违纪违法事实": "违反工作纪律", "严重程度": "一般"},
        issuing_org=city.orgs["qinhuai"], subject_person=city.people["qinhuai"], actor="test")
    city.users["xuanwu_scjg"] = create_user("xuanwu_scjg", PASSWORD, role=Role.SUBMITTER, organization=bureau_a)
    city.users["xuanwu_scjg_self"] = create_user("xuanwu_scjg_self", PASSWORD, role=Role.SUBJECT, organization=bureau_a)
    city.users["zhang"] = create_user("zhang", PASSWORD, role=Role.SUBJECT, organization=bureau_a,
                                      civil_servant=city.people["zhang"])
    return city


def build_city() -> City:
    from govcredit.sanctions.catalogue import load_measures

    load_catalog()
    load_measures()  # as its migration does: a transactional test's flush empties the table
    c = City()
    _org(c, "city", "南京市人民政府", "11", "320100", 1, "机关", None)
    _org(c, "fgw", "南京市发展和改革委员会", "11", "320100", 2, "机关", "city")
    _org(c, "scjg", "南京市市场监督管理局", "11", "320100", 3, "机关", "city")
    _org(c, "zzb", "中共南京市委组织部", "11", "320100", 4, "机关", "city")
    _org(c, "xuanwu", "南京市玄武区人民政府", "11", "320102", 5, "机关", "city")
    _org(c, "xinjiekou", "玄武区新街口街道办事处", "11", "320102", 6, "街道", "xuanwu")
    _org(c, "qinhuai", "南京市秦淮区人民政府", "11", "320104", 7, "机关", "city")
    c.people["xuanwu"] = register_civil_servant(name="王小明", id_number=XUANWU_ID, employer=c.orgs["xinjiekou"],
                                                post="科员", rank="一级科员", actor="test")
    c.people["qinhuai"] = register_civil_servant(name="李秦淮", id_number=QINHUAI_ID, employer=c.orgs["qinhuai"],
                                                 post="科长", rank="一级主任科员", actor="test")
    jlcf = RecordType.objects.get(code="jlcf").current()
    c.records["xuanwu_discipline"] = record_decision(jlcf, {
        "处分决定文号": "玄纪〔2025〕7号", "处分机关": "玄武区纪委监委", "处分决定日期": "2025-03-05",
        "处分种类": "警告", "违纪违法事实": "违规发放津贴补贴", "严重程度": "一般",
    }, issuing_org=c.orgs["xuanwu"], subject_person=c.people["xuanwu"], actor="test")
    xzcf = RecordType.objects.get(code="xzcf").current()
    c.records["qinhuai_penalty"] = record_decision(xzcf, penalty_row(c.orgs["qinhuai"]), issuing_org=c.orgs["qinhuai"],
                                                   actor="test")
    roles = {
        "credit": (Role.CREDIT_OFFICE, "fgw", None), "submitter": (Role.SUBMITTER, "scjg", None),
        "personnel": (Role.PERSONNEL, "zzb", None), "district": (Role.DISTRICT, "xuanwu", None),
        "subject": (Role.SUBJECT, "xinjiekou", "xuanwu"), "public": (Role.PUBLIC, None, None),
        "thirdparty": (Role.THIRD_PARTY, None, None),
    }
    for username, (role, org, person) in roles.items():
        c.users[username] = create_user(username, PASSWORD, role=role, organization=c.orgs[org] if org else None,
                                        civil_servant=c.people[person] if person else None)
    return c


def database_url() -> str:
    """``DATABASE_URL`` of the test database, for a process a test starts (a worker, a second web process)."""
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def twice_at_once(job: Callable[[], T]) -> list[T]:
    """Run ``job`` in two threads released at the same moment, each with its own database connection (as
    two workers would); returns both results, and fails the test with any error either thread met."""
    import threading

    from django.db import connections

    start = threading.Barrier(2)
    results: list[T] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(job())
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def add_remedies(city: City) -> None:
    """An objection (by the subject, on its discipline record) and a repair application (on a 统计造假 finding
    about it, decided four months ago) for the access matrices; ``city.track`` follows the objection."""
    from govcredit.remedies.services import apply_repair, file_objection

    pdf = b"%PDF-1.4\n%%EOF\n"
    decided = clock.today() - dt.timedelta(days=124)
    city.repairable = repairable = record_decision(
        RecordType.objects.get(code="tjzj").current(), {
            "认定文号": "玄统认〔2026〕1号", "认定机关": "玄武区统计局", "认定日期": decided.isoformat(),
            "统计违法事实": "虚报统计数据", "严重程度": "一般"},
        issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="test")
    filed = file_objection(city.records["xuanwu_discipline"], ground="记录内容有误", reasons="处分种类有误", files=[],
                           user=city.users["subject"])
    assert filed.objection is not None
    city.objection = filed.objection
    city.track = f"/api/remedies/track?number={filed.number}&code={filed.code}"
    repair = apply_repair(repairable, user=city.users["subject"],
                          corrected="已更正统计数据", commitment=("承诺书.pdf", pdf), files=[]).repair
    assert repair is not None
    city.repair = repair
