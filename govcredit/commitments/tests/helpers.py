"""Projects, duties and promises for the test city (the access matrices and this app's tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from govcredit.commitments import services
from govcredit.commitments.models import (
    CommitmentImport,
    Duty,
    DutyKind,
    ImportJob,
    ImportStatus,
    PPPProject,
    PromiseKind,
)
from govcredit.core import clock
from govcredit.ledger.services import save_with_entry
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.models import CivilServant
from govcredit.subjects.services import register_civil_servant
from govcredit.testing import City

HEAD = "区长"
COMPANY = make_credit_code("91", "320100", "MA1234567")


def add_head(city: City, key: str, name: str, org: str, start: dt.date, serial: int) -> CivilServant:
    person = register_civil_servant(name=name, id_number=make_id_number("320102", dt.date(1970, 1, 1), serial),
                                    employer=city.orgs[org], post=HEAD, rank="正处级", start_date=start, actor="test")
    city.people[key] = person
    return person


def project(city: City, org: str, name: str = "玄武区污水处理PPP项目") -> PPPProject:
    return services.create_project(name=name, org=city.orgs[org], responsible_post=HEAD, partner_name="南京水务投资有限公司",
                                   investment=Decimal(50000), started_on=clock.today() - dt.timedelta(days=100),
                                   actor="test")


def duty(p: PPPProject, due_on: dt.date, kind: str = DutyKind.PAYMENT) -> Duty:
    return services.add_duty(p, kind=kind, title="可行性缺口补助", basis="PPP项目合同第12条", amount=Decimal(1800),
                             due_on=due_on, actor="test")


def promise(city: City, org: str, promised_on: dt.date, due_on: dt.date, investor: str = "南京芯片科技有限公司",
            investor_code: str = COMPANY, terms: str = "项目投产后三年内给予产业扶持资金") -> services.Registered:
    return services.make_promise(org=city.orgs[org], investor_name=investor, investor_code=investor_code,
                                 contact="13912345678", kind=PromiseKind.SUBSIDY, terms=terms,
                                 legal_basis="《南京市招商引资优惠政策》第五条", document="投资协议〔2026〕1号",
                                 amount=Decimal(300), promised_on=promised_on, due_on=due_on, responsible_post=HEAD,
                                 actor="test")


def add_import_run(city: City, user: str = "district", file_name: str = "承诺导入.xlsx") -> CommitmentImport:
    """A run of the import by ``user`` with one rejected promise row (so it has an error report)."""
    header = ["承诺编号", "承诺单位统一社会信用代码", "承诺类别"]
    run = CommitmentImport(user=city.users[user], file_name=file_name, sha256="0" * 64,
                           counts={"promises_created": 1}, n_rejected=1, ran_at=clock.now(),
                           rejected={"承诺": {"header": header, "rows": [[3, ["ZS-9", city.orgs["xuanwu"].credit_code, "奖励"],
                                                                          "承诺类别", "应为 优惠政策、土地、补贴、审批、其他 之一"]]}})
    save_with_entry(run, actor=city.users[user], action="commitments.import.run", reason="测试")
    ImportJob.objects.create(user=run.user, org=city.users[user].organization, actor=user, file_name=file_name,
                             file_path="", sha256=run.sha256, status=ImportStatus.DONE, rows_total=2, rows_done=2,
                             counts=run.counts, n_rejected=1, errors=[["承诺", 3, "承诺类别", "应为 优惠政策、土地、补贴、审批、其他 之一"]],
                             run=run, created_at=run.ran_at, finished_at=run.ran_at)
    return run


def add_commitments(city: City) -> None:
    """A project with a duty and a promise in 玄武区, the same in 秦淮区 (for scope)."""
    today = clock.today()
    add_head(city, "xuanwu_head", "赵玄武", "xuanwu", today - dt.timedelta(days=1000), 901)
    city.project = project(city, "xuanwu")
    city.duty = duty(city.project, today + dt.timedelta(days=30))
    registered = promise(city, "xuanwu", today - dt.timedelta(days=200), today + dt.timedelta(days=60),
                         investor_code="")
    city.promise = registered.promise
    city.promise_code = registered.code
    city.commitment_import = add_import_run(city)
    city.commitment_job = city.commitment_import.job
    city.qinhuai_project = project(city, "qinhuai", "秦淮区体育中心PPP项目")
    city.qinhuai_promise = promise(city, "qinhuai", today - dt.timedelta(days=10),
                                   today + dt.timedelta(days=60)).promise


