"""Demo data, step two: writing a plan (:mod:`govcredit.demo.planning`) through the services.

:func:`generate_demo_data` writes the plan through the ledger services (level by level for the
organisation tree, in chunks for everything else), publishes the 双公示 decisions on the days the
plan says their departments published them (:func:`govcredit.disclosure.services.publish_as_of`),
creates the demo accounts and then runs the steps the apps registered (:mod:`govcredit.core.demo`):
their own demo data, the portal's first publishing run and the first statistics refresh, so that the
site has everything on it when the command ends. If the root organisation already exists it writes
no data and only adds missing accounts, so it can run on every start.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import build_record, expire_publicity
from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.catalog.services import load_catalog
from govcredit.core import clock
from govcredit.core.demo import DemoRun, demo_steps
from govcredit.disclosure.services import publish_as_of
from govcredit.ledger.services import create_with_entries
from govcredit.subjects.models import CivilServant, Organization, PostAssignment, ServantStatus
from govcredit.workdays.services import add_workdays

from . import reference as ref
from .planning import CHUNK, DEFAULT_SEED, KIND_DEPTH, RECORDS_PER_SCALE, Plan, build_plan, chunks

DEMO_ACTOR = "demo-data"
DEMO_REASON = "演示数据"
DEMO_PASSWORD = "GovCredit2026!"  # noqa: S105 — printed on purpose: these are demo accounts
OFFICE_MINUTES = (9 * 60, 17 * 60)  # publications are made in office hours, local time


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # Chinese label
    organization: str
    password: str
    created: bool


@dataclass
class DemoResult:
    created: bool
    seed: int
    scale: float
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    digest: str = ""


def demo_data_exists() -> bool:
    return Organization.objects.filter(parent__isnull=True, name=ref.ROOT_NAME).exists()


def _bar(progress: bool, total: int, desc: str, unit: str) -> tqdm:
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not progress, leave=True,
                dynamic_ncols=True)


def _write_orgs(plan: Plan, progress: bool) -> list[Organization]:
    saved: list[Organization | None] = [None] * len(plan.orgs)
    with _bar(progress, len(plan.orgs), "单位", "个") as bar:
        for depth in sorted(set(KIND_DEPTH.values())):
            level = [i for i in range(len(plan.orgs)) if plan.depth(i) == depth]
            for chunk in chunks(level):
                objs = []
                for i in chunk:
                    o = plan.orgs[i]
                    org = Organization(name=o.name, credit_code=o.credit_code, org_type=o.org_type,
                                       region_code=o.region_code, parent=saved[o.parent] if o.parent is not None else None)
                    org.compute_path()
                    objs.append(org)
                create_with_entries(Organization, objs, actor=DEMO_ACTOR, action="subject.org.create",
                                    reason=DEMO_REASON)
                for i, org in zip(chunk, objs, strict=True):
                    saved[i] = org
                bar.update(len(chunk))
    return [o for o in saved if o is not None]


def _write_persons(plan: Plan, orgs: list[Organization], progress: bool) -> list[int]:
    """Write the civil servants; returns their ids in plan order (instances are not kept: scale 10 is big)."""
    pks: list[int] = []
    with _bar(progress, len(plan.persons), "公务员", "人") as bar:
        for chunk in chunks(plan.persons):
            objs = []
            for p in chunk:
                person = CivilServant(name=p.name, gender=p.gender, birth_date=p.birth, employer=orgs[p.employer],
                                      post=p.post, rank=p.rank, status=p.status)
                person.set_id_number(p.id_number)
                objs.append(person)
            create_with_entries(CivilServant, objs, actor=DEMO_ACTOR, action="subject.person.create",
                                reason=DEMO_REASON)
            pks.extend(o.pk for o in objs)
            bar.update(len(chunk))
    return pks


def _write_posts(plan: Plan, orgs: list[Organization], person_pks: list[int], progress: bool) -> int:
    total = sum(len(p.posts) for p in plan.persons)
    with _bar(progress, total, "任职经历", "条") as bar:
        for start in range(0, len(plan.persons), CHUNK // 2):
            rows = [PostAssignment(person_id=person_pks[i], employer=orgs[a.employer], post=a.post, rank=a.rank,
                                   status=a.status, start_date=a.start, end_date=a.end)
                    for i in range(start, min(start + CHUNK // 2, len(plan.persons))) for a in plan.persons[i].posts]
            create_with_entries(PostAssignment, rows, actor=DEMO_ACTOR, action="subject.post.start",
                                reason=DEMO_REASON)
            bar.update(len(rows))
    return total


def _current_versions() -> dict[str, RecordTypeVersion]:
    return {rt.code: rt.current() for rt in RecordType.objects.filter(code__in=list(RECORDS_PER_SCALE))}


def _write_records(plan: Plan, orgs: list[Organization], person_pks: list[int], progress: bool) -> list[int]:
    """Write the records; returns their ids in plan order."""
    versions = _current_versions()
    missing = sorted(set(RECORDS_PER_SCALE) - set(versions))
    if missing:
        raise RuntimeError(f"目录中缺少信息类别：{'、'.join(missing)}")
    pks: list[int] = []
    with _bar(progress, len(plan.records), "信用记录", "条") as bar:
        for chunk in chunks(plan.records):
            wanted = {person_pks[r.subject_person] for r in chunk if r.subject_person is not None}
            people = CivilServant.objects.in_bulk(list(wanted))
            objs: list[CreditRecord] = []
            for r in chunk:
                person = people[person_pks[r.subject_person]] if r.subject_person is not None else None
                try:
                    objs.append(build_record(
                        versions[r.type_code], r.values, issuing_org=orgs[r.issuer],
                        subject_org=orgs[r.subject_org] if r.subject_org is not None else None,
                        subject_person=person))
                except ValidationError as exc:  # a bug in the plan: say which record
                    raise RuntimeError(f"演示记录不符合目录（{r.type_code}）：{exc.messages}；{r.values}") from exc
            create_with_entries(CreditRecord, objs, actor=DEMO_ACTOR, action="record.create", reason=DEMO_REASON)
            pks.extend(o.pk for o in objs)
            bar.update(len(chunk))
    return pks


def publication_moments(plan: Plan, record_pks: Sequence[int], now: dt.datetime) -> dict[int, dt.datetime]:
    """Record id → the moment its department published it: ``published_after`` working days after the
    decision (State Council calendar), in office hours; decisions whose day has not come yet are left to
    the portal's publishing job."""
    moments: dict[int, dt.datetime] = {}
    for n, (r, pk) in enumerate(zip(plan.records, record_pks, strict=True)):
        if r.published_after is None:
            continue
        decided = dt.date.fromisoformat(next(v for k, v in r.values.items() if k.endswith("决定日期")))
        day = add_workdays(decided, r.published_after).date
        minute = OFFICE_MINUTES[0] + (n * 37) % (OFFICE_MINUTES[1] - OFFICE_MINUTES[0])
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))
        if moment <= now:
            moments[pk] = moment
    return moments


def _org_by_name(name: str) -> Organization | None:
    return Organization.objects.filter(name=name).order_by("pk").first()


def ensure_demo_users(subject_person: CivilServant | None = None) -> list[DemoAccount]:
    """Create the demo accounts that are missing, one per role; no superuser (the admin site is not served,
    and a superuser with the published demo password would be a key anyone can read)."""
    dept = {d.alias: d.name for d in ref.CITY_DEPARTMENTS}
    xuanwu = _org_by_name("玄武区人民政府")
    if subject_person is None and xuanwu is not None:
        subject_person = (CivilServant.objects.filter(employer__path__startswith=xuanwu.path,
                                                      status=ServantStatus.ACTIVE, records__isnull=False)
                          .order_by("pk").first())
    specs: list[tuple[str, Role, Organization | None, CivilServant | None, str]] = [
        ("credit", Role.CREDIT_OFFICE, _org_by_name(dept["市发改委"]), None, "信用办演示用户"),
        ("submitter", Role.SUBMITTER, _org_by_name(dept["市市场监管局"]), None, "市场监管局报送员"),
        ("personnel", Role.PERSONNEL, _org_by_name(dept["市委组织部"]), None, "组织部干部科"),
        ("xuanwu", Role.DISTRICT, xuanwu, None, "玄武区信用管理员"),
        ("subject", Role.SUBJECT, subject_person.employer if subject_person else xuanwu, subject_person,
         subject_person.name if subject_person else "信用主体演示用户"),
        ("public", Role.PUBLIC, None, None, "社会公众"),
        ("thirdparty", Role.THIRD_PARTY, None, None, "第三方评估机构"),
    ]
    accounts: list[DemoAccount] = []
    for username, role, org, person, display in specs:
        existing = User.objects.filter(username=username).first()
        if existing is None:
            create_user(username, DEMO_PASSWORD, role=role, organization=org, civil_servant=person,
                        display_name=display)
        else:
            org = existing.organization
        accounts.append(DemoAccount(username, str(role.label), org.name if org else "—", DEMO_PASSWORD, existing is None))
    return accounts


def generate_demo_data(seed: int = DEFAULT_SEED, scale: float = 1.0, *, today: dt.date | None = None,
                       progress: bool = False, out: Writer | None = None) -> DemoResult:
    """Write the demo city once; later calls only add missing accounts.

    ``progress`` shows tqdm bars on stderr; ``out`` receives one line per finished stage.
    """
    result = DemoResult(created=False, seed=seed, scale=scale)
    started = time.perf_counter()

    def stage(name: str, since: float) -> float:
        now = time.perf_counter()
        result.timings[name] = now - since
        if out is not None and result.created:
            out.write(f"  {name}：{now - since:.1f} 秒\n")
        return now

    with transaction.atomic():
        subject: CivilServant | None = None
        plan: Plan | None = None
        if not demo_data_exists():
            result.created = True
            t = time.perf_counter()
            load_catalog(actor=DEMO_ACTOR)
            t = stage("载入目录", t)
            plan = build_plan(seed, scale, today)
            result.digest = plan.digest()
            t = stage("生成方案", t)
            orgs = _write_orgs(plan, progress)
            t = stage("写入单位", t)
            person_pks = _write_persons(plan, orgs, progress)
            t = stage("写入公务员", t)
            posts = _write_posts(plan, orgs, person_pks, progress)
            t = stage("写入任职经历", t)
            record_pks = _write_records(plan, orgs, person_pks, progress)
            t = stage("写入信用记录", t)
            published = publish_as_of(publication_moments(plan, record_pks, clock.now())).published
            t = stage("按原公开日期发布双公示决定", t)
            expired = expire_publicity(plan.today)
            t = stage("公示期届满处理", t)
            result.counts = {**{k: v for k, v in plan.counts().items() if v}, "任职经历": posts,
                             "信用记录": len(record_pks), "其中已按时或逾期公开": published, "其中公示期满": expired}
            if plan.subject_person is not None:
                subject = CivilServant.objects.get(pk=person_pks[plan.subject_person])
        t = time.perf_counter()
        result.accounts = ensure_demo_users(subject)
        t = stage("演示账号", t)
        if plan is not None:
            run = DemoRun(seed=seed, scale=scale, today=plan.today, progress=progress)
            for step in demo_steps():
                result.counts.update(step.run(run))
                t = stage(step.label, t)
    result.timings["合计"] = time.perf_counter() - started
    return result
