"""Tests for the demo data generator: the plan (pure) and the command that writes it."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F, Q
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from govcredit.accounts.models import Role, User
from govcredit.archive.models import CounterpartyKind, CreditRecord
from govcredit.catalog.models import RecordType
from govcredit.core import clock, crypto
from govcredit.demo import planning, services
from govcredit.demo import reference as ref
from govcredit.disclosure.models import Publication
from govcredit.disclosure.services import public_publications
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import verify
from govcredit.statistics.report import build_report, summary_is_current
from govcredit.subjects.identifiers import mask_id_number, parse_credit_code, parse_id_number
from govcredit.subjects.models import CivilServant, Organization, OrgType, PostAssignment, ServantStatus

SEED = 7
SCALE = 0.05
DISTRICT_CODES = {
    "玄武区": "320102", "秦淮区": "320104", "建邺区": "320105", "鼓楼区": "320106", "浦口区": "320111",
    "栖霞区": "320113", "雨花台区": "320114", "江宁区": "320115", "六合区": "320116", "溧水区": "320117",
    "高淳区": "320118",
}  # fmt: skip
CATEGORY_BY_TYPE: dict[str, str] = {  # {org_type: credit-code category}
    OrgType.GOVERNMENT: "11", OrgType.INSTITUTION: "12", OrgType.ZONE: "11", OrgType.STREET: "11",
    OrgType.TOWN: "11", OrgType.VILLAGE: ref.CATEGORY_COMMITTEE, OrgType.RESIDENTS: ref.CATEGORY_COMMITTEE,
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """Run the command once for the whole module at a tiny scale; roll everything back afterwards."""
    # Argon2 is slow on purpose; the accounts' hashes are not what these tests are about.
    fast_hash = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hash, transaction.atomic():
        out = io.StringIO()
        call_command("demo_data", "--seed", str(SEED), "--scale", str(SCALE), "--no-progress", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _district_by_path() -> dict[str, str]:
    return {o.path: o.region_code for o in Organization.objects.filter(org_type=OrgType.GOVERNMENT, depth=1)
            .exclude(region_code=ref.CITY_REGION)}


def _district_code(org: Organization, district_paths: dict[str, str]) -> str:
    return next((code for path, code in district_paths.items() if org.path.startswith(path)), "")


# --------------------------------------------------------------------------- the plan (no database)


def test_plan_is_a_pure_function_of_seed_and_scale() -> None:
    today = dt.date(2026, 3, 2)
    first = planning.build_plan(SEED, SCALE, today)
    again = planning.build_plan(SEED, SCALE, today)
    other = planning.build_plan(SEED + 1, SCALE, today)
    assert first.digest() == again.digest()
    assert [(o.name, o.credit_code) for o in first.orgs] == [(o.name, o.credit_code) for o in again.orgs]
    assert [(p.name, p.id_number) for p in first.persons] == [(p.name, p.id_number) for p in again.persons]
    assert other.digest() != first.digest()


def test_scale_one_plan_meets_the_minimums_without_writing() -> None:
    today = clock.today()
    plan = planning.build_plan(planning.DEFAULT_SEED, 1.0, today)
    kinds = Counter(o.kind for o in plan.orgs)
    assert kinds["street"] >= 100
    assert kinds["committee"] >= 1000
    assert len(plan.persons) >= 20_000
    records = plan.record_counts()
    assert records["xzcf"] + records["xzxk"] >= 5000
    assert all(n >= 100 for code, n in records.items() if code not in ("xzcf", "xzxk"))
    # unique and valid identifiers everywhere
    org_codes = [o.credit_code for o in plan.orgs] + [c.code for c in plan.counterparties if c.code]
    assert len(org_codes) == len(set(org_codes))
    ids = [p.id_number for p in plan.persons] + [c.id_number for c in plan.counterparties if c.id_number]
    assert len(ids) == len(set(ids))
    for o in plan.orgs:
        info = parse_credit_code(o.credit_code)
        assert info.region_code == o.region_code
    for p in plan.persons:
        person_info = parse_id_number(p.id_number)
        assert person_info.birth_date == p.birth and person_info.gender == p.gender
        assert dt.date(1960, 1, 1) <= p.birth <= dt.date(2000, 12, 31)
        assert 1 <= len(p.posts) <= 3
    statuses = Counter(p.status for p in plan.persons)
    assert statuses[ServantStatus.TRANSFERRED] > 100 and statuses[ServantStatus.RETIRED] > 100
    # decision dates: the past four years up to yesterday
    dates = [dt.date.fromisoformat(next(v for k, v in r.values.items() if k.endswith("日期"))) for r in plan.records]
    assert min(dates) >= today - dt.timedelta(days=planning.RECORD_HISTORY_DAYS)
    assert max(dates) <= today - dt.timedelta(days=1)


def test_volumes_grow_with_the_scale() -> None:
    small = planning.build_plan(SEED, 0.1, dt.date(2026, 3, 2))
    assert len(small.persons) == 2000
    assert sum(small.record_counts().values()) == round(sum(planning.RECORDS_PER_SCALE.values()) * 0.1)
    assert planning._scaled(planning.PERSONS_PER_SCALE, 10) == 200_000


def test_command_rejects_a_bad_scale() -> None:
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo_data", "--scale", "0")
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo_data", "--scale", "abc")


# --------------------------------------------------------------------------- the written data


@pytest.mark.django_db
def test_command_prints_the_accounts(demo_output: str) -> None:
    assert "演示数据已生成" in demo_output
    assert "演示账号" in demo_output
    for username in ("credit", "submitter", "personnel", "xuanwu", "subject", "public", "thirdparty"):
        assert username in demo_output
    assert "admin" not in demo_output
    assert services.DEMO_PASSWORD in demo_output


@pytest.mark.django_db
def test_departments_and_districts(demo_output: str) -> None:
    root = Organization.objects.get(name=ref.ROOT_NAME, parent__isnull=True)
    assert (root.org_type, root.region_code) == (OrgType.GOVERNMENT, "320100")
    names = {d.alias: d.name for d in ref.CITY_DEPARTMENTS}
    for alias in (*ref.REQUIRED_DEPARTMENTS, "市公安局", "市市场监管局", "市生态环境局"):
        dept = Organization.objects.get(name=names[alias])
        assert dept.parent == root and dept.region_code == "320100", alias
    for name, code in DISTRICT_CODES.items():
        district = Organization.objects.get(name=f"{name}人民政府")
        assert district.parent == root
        assert (district.org_type, district.region_code, district.credit_code[2:8]) == (OrgType.GOVERNMENT, code, code)
        assert Organization.objects.filter(parent=district, name__startswith=name, name__endswith="局").exists()
        streets = Organization.objects.filter(parent=district, org_type__in=[OrgType.STREET, OrgType.TOWN])
        assert streets.count() == len(next(d for d in ref.DISTRICTS if d.code == code).streets)
    zone = Organization.objects.get(name=ref.ZONE_NAME)
    assert (zone.org_type, zone.region_code, zone.parent) == (OrgType.ZONE, "320100", root)
    xuanwu = Organization.objects.get(name="玄武区人民政府")
    for street in ("玄武门街道", "新街口街道", "梅园新村街道", "孝陵卫街道", "锁金村街道", "红山街道", "玄武湖街道"):
        assert Organization.objects.get(name=street).parent == xuanwu
    fuzimiao = Organization.objects.get(name="夫子庙街道").parent
    assert fuzimiao is not None and fuzimiao.name == "秦淮区人民政府"
    assert Organization.objects.get(name="竹镇镇").org_type == OrgType.TOWN
    assert Organization.objects.filter(parent=xuanwu, name="玄武区市场监督管理局").exists()
    committees = Organization.objects.filter(org_type__in=[OrgType.VILLAGE, OrgType.RESIDENTS])
    assert committees.count() >= 101  # at least one under every street and town
    for c in committees:
        assert c.parent is not None and c.parent.org_type in (OrgType.STREET, OrgType.TOWN) and c.depth == 3
        assert c.name.endswith("村民委员会" if c.org_type == OrgType.VILLAGE else "社区居民委员会")


@pytest.mark.django_db
def test_every_code_and_id_number_is_valid(demo_output: str) -> None:
    district_paths = _district_by_path()
    orgs = list(Organization.objects.all())
    assert len({o.credit_code for o in orgs}) == len(orgs)
    for org in orgs:
        info = parse_credit_code(org.credit_code)
        assert info.category_code == CATEGORY_BY_TYPE[org.org_type], org.name
        assert info.region_code == org.region_code
        district = _district_code(org, district_paths)
        if district:
            assert org.region_code == district, org.name
        if org.parent is not None:
            assert org.path == f"{org.parent.path}{org.credit_code}/"
    people = list(CivilServant.objects.select_related("employer"))
    assert len(people) == 1000
    for person in people:
        number = person.full_id_number()
        person_info = parse_id_number(number)
        assert (person_info.birth_date, person_info.gender) == (person.birth_date, person.gender)
        assert dt.date(1960, 1, 1) <= person_info.birth_date <= dt.date(2000, 12, 31)
        assert person.id_masked == mask_id_number(number) and person.id_index == crypto.blind_index(number)
        district = _district_code(person.employer, district_paths)
        if district:  # employed in a district: born there too
            assert person_info.region_code == district
        else:
            assert person_info.region_code in DISTRICT_CODES.values()
        assert person.post and person.rank in ref.RANKS


@pytest.mark.django_db
def test_posts_and_statuses(demo_output: str) -> None:
    statuses = Counter(CivilServant.objects.values_list("status", flat=True))
    assert statuses[ServantStatus.ACTIVE] > 800
    assert statuses[ServantStatus.TRANSFERRED] > 0 and statuses[ServantStatus.RETIRED] > 0
    posts = Counter(CivilServant.objects.values_list("post", flat=True))
    for post in ("科员", "副主任科员", "主任科员", "副科长", "科长", "处长", "局长", "街道办事处主任"):
        assert posts[post] > 0, post
    per_person: dict[int, list[PostAssignment]] = {}
    for a in PostAssignment.objects.order_by("start_date"):
        per_person.setdefault(a.person_id, []).append(a)
    for person in CivilServant.objects.all():
        history = per_person[person.pk]
        assert 1 <= len(history) <= 4  # the plan gives at most 3; the commitments demo moves 玄武区's 区长 once more
        last = history[-1]
        assert (last.employer_id, last.post, last.rank) == (person.employer_id, person.post, person.rank)
        for before, after in zip(history, history[1:], strict=False):
            assert before.end_date == after.start_date
        if person.status == ServantStatus.RETIRED:
            assert last.end_date is not None
        else:
            assert last.end_date is None
        if person.status == ServantStatus.TRANSFERRED:
            assert last.status == ServantStatus.TRANSFERRED and len(history) >= 2


def _confirmed_breaches() -> set[int]:
    """The records the credit office made in the demo by confirming breach candidates (obligations)."""
    from govcredit.obligations.models import BreachCandidate

    rows = BreachCandidate.objects.values_list("org_record_id", "person_record_id")
    return {pk for pair in rows for pk in pair if pk is not None}


@pytest.mark.django_db
def test_records_of_every_catalog_type(demo_output: str) -> None:
    today = clock.today()
    types = list(RecordType.objects.all())
    assert len(types) >= 10
    for rtype in types:
        records = CreditRecord.objects.filter(record_type=rtype)
        assert records.exists(), rtype.name
    assert CreditRecord.objects.filter(publicity_end__lt=today).exists()
    assert CreditRecord.objects.filter(publicity_end__gte=today).exists()
    # the plan's records were all decided before today; only the breaches the credit office confirmed from the
    # obligations register's candidates during the demo are decided today
    assert not CreditRecord.objects.filter(decision_date__gte=today).exclude(pk__in=_confirmed_breaches()).exists()
    assert not CreditRecord.objects.filter(decision_date__lt=today - dt.timedelta(days=4 * 365)).exists()
    double = CreditRecord.objects.filter(record_type__code__in=["xzcf", "xzxk"])
    kinds = Counter(double.values_list("counterparty_kind", flat=True))
    assert kinds[CounterpartyKind.LEGAL] > 0 and kinds[CounterpartyKind.NATURAL] > 0
    for record in double:
        assert record.issuing_org.region_code.startswith("3201")
        if record.counterparty_code:
            assert parse_credit_code(record.counterparty_code).category_code in ("91", "92")
        if record.counterparty_id_cipher:
            parse_id_number(crypto.decrypt(record.counterparty_id_cipher))
    assert CreditRecord.objects.filter(subject_person__isnull=False).exists()
    assert CreditRecord.objects.filter(subject_org__isnull=False).exists()
    assert not CreditRecord.objects.filter(subject_org=F("issuing_org")).exists()  # nobody judges itself


@pytest.mark.django_db
def test_written_data_is_the_plan(demo_output: str) -> None:
    plan = planning.build_plan(SEED, SCALE, clock.today())
    assert {(o.name, o.credit_code) for o in Organization.objects.all()} == {(o.name, o.credit_code) for o in plan.orgs}
    written = sorted((p.name, p.full_id_number()) for p in CivilServant.objects.all())
    assert written == sorted((p.name, p.id_number) for p in plan.persons)
    from govcredit.sanctions import demo as sanctions_demo

    # besides the plan, the sanctions demo adds a few records of its own (rectifications, fault tolerance)
    extra = LedgerEntry.objects.filter(entity_type="archive.creditrecord", action="record.create",
                                       actor=sanctions_demo.ACTOR).count()
    assert 0 < extra < 20
    assert CreditRecord.objects.count() == len(plan.records) + extra + len(_confirmed_breaches())


@pytest.mark.django_db
def test_ledger_verifies(demo_output: str) -> None:
    report = verify()
    assert report.ok, [f.message for f in report.findings[:5]]
    assert report.records >= 1000


@pytest.mark.django_db
def test_demo_users(demo_output: str) -> None:
    expected = {
        "credit": (Role.CREDIT_OFFICE, "南京市发展和改革委员会"),
        "submitter": (Role.SUBMITTER, "南京市市场监督管理局"),
        "personnel": (Role.PERSONNEL, "中共南京市委组织部"),
        "xuanwu": (Role.DISTRICT, "玄武区人民政府"),
        "public": (Role.PUBLIC, None),
        "thirdparty": (Role.THIRD_PARTY, None),
    }
    for username, (role, org) in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert (user.organization.name if user.organization else None) == org
        assert user.check_password(services.DEMO_PASSWORD)
    subject = User.objects.get(username="subject")
    xuanwu = Organization.objects.get(name="玄武区人民政府")
    assert subject.role == Role.SUBJECT
    assert subject.civil_servant is not None
    assert subject.civil_servant.employer.path.startswith(xuanwu.path)
    assert subject.civil_servant.records.exists()
    assert not User.objects.filter(is_superuser=True).exists(), "no undocumented superuser with the demo password"


@pytest.mark.django_db
def test_running_again_does_not_duplicate(demo_output: str) -> None:
    def counts() -> tuple[int, ...]:
        return (Organization.objects.count(), CivilServant.objects.count(), PostAssignment.objects.count(),
                CreditRecord.objects.count(), User.objects.count(), LedgerEntry.objects.count())

    before = counts()
    with connection.cursor() as cur:  # a missing account (users are never deleted: removed behind the application)
        cur.execute("DELETE FROM accounts_user WHERE username = 'public'")
    out = io.StringIO()
    call_command("demo_data", "--seed", str(SEED + 1), "--scale", str(SCALE), "--no-progress", stdout=out)
    assert "演示数据已存在，跳过" in out.getvalue()
    assert counts() == (*before[:-1], before[-1] + 1)  # the account is added back with its entry, nothing else
    assert User.objects.filter(username="public", role=Role.PUBLIC).exists()


@pytest.mark.django_db
def test_demo_has_sanctions_in_every_state(demo_output: str) -> None:
    from govcredit.sanctions.models import AppliedMeasure, FaultToleranceApplication
    from govcredit.sanctions.workflow import FAULT_TOLERANCE, RECTIFICATION
    from govcredit.workflow.kinds import get
    from govcredit.workflow.models import Case

    assert AppliedMeasure.objects.filter(status="执行中").exists()
    assert set(AppliedMeasure.objects.values_list("end_reason", flat=True)) >= {"", "容错免除"}
    for kind in (RECTIFICATION, FAULT_TOLERANCE):
        states = set(Case.objects.filter(kind=kind.code).values_list("status", flat=True))
        assert states == set(get(kind.code).states), (kind.code, set(get(kind.code).states) - states)
    rect = Case.objects.filter(kind=RECTIFICATION.code)
    assert rect.filter(escalated_at__isnull=False).exists()
    assert rect.filter(overdue_at__isnull=False, escalated_at__isnull=True).exists()
    assert FaultToleranceApplication.objects.filter(finding__outcome="减轻").exists()
    # 诚信模范 recognitions start their rewards; the demo subject's inbox follows its cases and tells its measures
    assert AppliedMeasure.objects.filter(record__record_type__code="cxmf", polarity="激励", status="执行中").exists()
    from govcredit.workflow.models import Notification
    from govcredit.workflow.services import inbox

    subject = User.objects.get(username="subject")
    assert inbox(subject).following > 0
    assert Notification.objects.filter(user=subject, case__isnull=True, link__startswith="/sanctions/measures/").exists()
    assert verify().ok
# --------------------------------------------------------------------------- a ready site


def test_plan_publishes_most_decisions_on_time() -> None:
    plan = planning.build_plan(SEED, SCALE, dt.date(2026, 6, 16))
    delays = [r.published_after for r in plan.records if r.type_code in planning.DOUBLE_PUBLICITY_TYPES]
    assert delays and all(d is not None and d >= 1 for d in delays)
    late = sum(1 for d in delays if d is not None and d > planning.PUBLISH_WITHIN_WORKDAYS)
    assert 0.05 <= late / len(delays) <= 0.13
    assert all(r.published_after is None for r in plan.records if r.type_code not in planning.DOUBLE_PUBLICITY_TYPES)


@pytest.mark.django_db
def test_portal_and_statistics_are_ready(demo_output: str) -> None:
    """The command ends with the portal filled and the statistics computed: a city's on-time rate, a few
    departments below the target, every decision published on a day of its own."""
    assert public_publications().exists()
    assert Publication.objects.dates("published_at", "day").count() > 30  # not all on the day of the demo
    assert summary_is_current(clock.today())
    report = build_report(Q(), dt.date(2000, 1, 1), clock.today(), use_summary=True)
    assert report.total.on_time_rate is not None and 0.85 <= report.total.on_time_rate <= 0.95
    assert report.total.late_published > 0
    assert 1 <= len(report.below_target) <= len(report.departments) // 2
    assert "统计的双公示决定" in demo_output and "发布公开信息" in demo_output


def test_run_sh_announces_the_site_after_the_data() -> None:
    """run.sh builds the demo (publishing and statistics included) before it starts the server, whose
    first line is the ready message with the portal's address."""
    script = (Path(settings.BASE_DIR).parent / "run.sh").read_text(encoding="utf-8")
    assert script.index("demo-data") < script.index("govcredit serve")
    assert "GOVCREDIT_BIND" in script
    serve = (Path(settings.BASE_DIR) / "core" / "management" / "commands" / "serve.py").read_text(encoding="utf-8")
    assert "/portal/" in serve
