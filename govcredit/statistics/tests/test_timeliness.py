"""Timeliness under the real State Council calendar, completeness, and the rates per department and district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.core import clock
from govcredit.statistics import report as figures
from govcredit.statistics import services
from govcredit.statistics.models import DecisionFact
from govcredit.testing import City
from govcredit.workdays.services import import_schedule_text, workdays_between

from .factories import change_data, licence, penalty, publish

pytestmark = pytest.mark.django_db


def test_national_day_holiday_counts_only_working_days(city: City) -> None:
    # 2025: 10月1日至8日放假, 10月11日(周六)上班. After 9月30日: 10月9日, 10月10日 are the 1st and 2nd working days.
    assert workdays_between(dt.date(2025, 9, 30), dt.date(2025, 10, 10)).days == 2
    fast = penalty(city, "scjg", "宁市监罚〔2025〕101号", "2025-09-30", serial=1)
    edge = penalty(city, "scjg", "宁市监罚〔2025〕102号", "2025-09-30", serial=2)
    slow = penalty(city, "scjg", "宁市监罚〔2025〕103号", "2025-09-30", serial=3)
    publish(fast, "2025-10-10")
    publish(edge, "2025-10-16")  # 9,10,11(调休上班),13,14,15,16 → the 7th working day
    publish(slow, "2025-10-17", hour=23)  # the 8th: one day late (23:00 local is still 17 Oct)
    services.refresh()
    facts = {f.record_id: f for f in DecisionFact.objects.all()}
    assert (facts[fast.pk].workdays, facts[edge.pk].workdays, facts[slow.pk].workdays) == (2, 7, 8)
    assert facts[fast.pk].last_on_time_day == dt.date(2025, 10, 16)
    assert not any(f.estimated for f in facts.values())
    report = figures.build_report(Q(issuing_org=city.orgs["scjg"]), dt.date(2025, 9, 1), dt.date(2025, 9, 1))
    c = report.total
    assert (c.total, c.due, c.on_time, c.late_published, c.overdue_unpublished, c.pending) == (3, 3, 2, 1, 0, 0)
    assert c.on_time_rate == pytest.approx(2 / 3)
    assert c.avg_workdays == pytest.approx(17 / 3)


def test_on_time_across_a_weekend_after_the_last_working_day(city: City) -> None:
    # 2025-03-03 (Mon) + 7 working days = 2025-03-12 (Wed); nothing special: the following days are working days.
    # 2025-03-05 (Wed) + 7 → 2025-03-14 (Fri); published Saturday 15th: still 7 working days → on time.
    record = penalty(city, "scjg", "宁市监罚〔2025〕201号", "2025-03-05")
    publish(record, "2025-03-16")
    services.refresh()
    fact = DecisionFact.objects.get(record=record)
    assert fact.workdays == 7 and fact.last_on_time_day == dt.date(2025, 3, 16)
    assert figures.build_report(Q(record=record), dt.date(2025, 3, 1), dt.date(2025, 3, 1)).total.on_time == 1


def test_unpublished_past_deadline_is_late_and_recent_is_pending(city: City) -> None:
    today = clock.today()
    old = penalty(city, "scjg", "宁市监罚〔2025〕301号", "2025-05-06", serial=4)
    new = penalty(city, "scjg", "宁市监罚〔2026〕302号", today, serial=5)
    services.refresh()
    scope = Q(record__in=[old, new])
    jan = dt.date(2025, 1, 1)
    report = figures.build_report(scope, jan, today)
    assert (report.total.overdue_unpublished, report.total.pending, report.total.settled) == (1, 1, 1)
    assert report.total.on_time_rate == 0
    # The same decision judged on the day of its deadline: still pending.
    fact = DecisionFact.objects.get(record=old)
    on_deadline = figures.build_report(scope, jan, today, today=fact.last_on_time_day)
    assert on_deadline.total.pending >= 1 and on_deadline.total.overdue_unpublished == 0


def test_not_disclosable_and_revoked_before_publication_are_not_due(city: City) -> None:
    warning = penalty(city, "scjg", "宁市监罚〔2025〕401号", "2025-04-01", kinds="警告", amount="", serial=6)
    revoked = penalty(city, "scjg", "宁市监罚〔2025〕402号", "2025-04-01", serial=7)
    change_status(revoked, RecordStatus.REVOKED, actor="credit", reason="复议撤销")
    services.refresh()
    facts = DecisionFact.objects.in_bulk([warning.pk, revoked.pk])
    assert not facts[warning.pk].due and "警告" in facts[warning.pk].not_due_reason
    assert not facts[revoked.pk].due and facts[revoked.pk].not_due_reason == "决定在公示前已撤销"
    c = figures.build_report(Q(record__in=[warning, revoked]), dt.date(2025, 4, 1), dt.date(2025, 4, 1)).total
    assert (c.total, c.due, c.settled, c.complete) == (2, 0, 0, 2)
    assert c.on_time_rate is None and c.completeness_rate == 1


def test_completeness_revalidates_stored_values(city: City) -> None:
    good = penalty(city, "scjg", "宁市监罚〔2025〕501号", "2025-02-10", serial=8)
    missing = penalty(city, "scjg", "宁市监罚〔2025〕502号", "2025-02-10", serial=9)
    invalid = penalty(city, "scjg", "宁市监罚〔2025〕503号", "2025-02-10", serial=10)
    lic = licence(city, "scjg", "宁市监许〔2025〕504号", "2025-02-10", serial=11)
    change_data(missing, violation_type=None)
    change_data(invalid, authority_code="11320100000000003X", penalty_kinds=["罚款", "打屁股"])
    services.refresh()
    facts = DecisionFact.objects.in_bulk([good.pk, missing.pk, invalid.pk, lic.pk])
    assert facts[good.pk].complete and facts[lic.pk].complete and facts[good.pk].problems == {}
    assert facts[missing.pk].problems == {"违法行为类型": "必填项为空"}
    assert set(facts[invalid.pk].problems) == {"处罚机关统一社会信用代码", "处罚类别"}
    c = figures.build_report(Q(record__in=[good, missing, invalid, lic]), dt.date(2025, 2, 1), dt.date(2025, 2, 1)).total
    assert (c.total, c.complete) == (4, 2) and c.completeness_rate == 0.5


def test_natural_person_id_number_counts_without_decrypting(city: City) -> None:
    person = penalty(city, "scjg", "宁市监罚〔2025〕601号", "2025-02-11", kind="自然人")
    services.refresh()
    assert DecisionFact.objects.get(record=person).complete


def test_rates_per_department_district_and_month(city: City) -> None:
    # 市场监管局 (市本级): two decisions, one on time, one late. 新街口街道 (玄武区): one on time.
    a = penalty(city, "scjg", "宁市监罚〔2025〕701号", "2025-07-01", serial=21)
    b = penalty(city, "scjg", "宁市监罚〔2025〕702号", "2025-08-01", serial=22)
    c = licence(city, "xinjiekou", "新街口许〔2025〕703号", "2025-07-15", serial=23)
    publish(a, "2025-07-03")
    publish(b, "2025-09-01")
    publish(c, "2025-07-16")
    services.refresh()
    report = figures.build_report(Q(), dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    deps = {d.name: d for d in report.departments}
    scjg, jiedao = deps["南京市市场监督管理局"], deps["玄武区新街口街道办事处"]
    assert (scjg.counts.total, scjg.counts.on_time, scjg.counts.late_published) == (2, 1, 1)
    assert scjg.counts.on_time_rate == 0.5 and scjg.counts.below_target and scjg.district == "市本级"
    assert jiedao.counts.on_time_rate == 1 and not jiedao.counts.below_target and jiedao.district == "南京市玄武区人民政府"
    assert report.departments[0].name == "玄武区新街口街道办事处" and report.departments[0].rank == 1
    qinhuai = deps["南京市秦淮区人民政府"]  # the city fixture's 2025-06-01 penalty, never published
    assert qinhuai.counts.overdue_unpublished == 1 and qinhuai.district == "南京市秦淮区人民政府"
    areas = {a.name: a.counts for a in report.districts}
    assert areas["市本级"].total == 2 and areas["南京市玄武区人民政府"].on_time == 1
    months = {m.label: m.counts for m in report.months}
    assert len(report.months) == 12
    assert (months["2025-07"].total, months["2025-07"].on_time) == (2, 2)
    assert months["2025-08"].late_published == 1 and months["2025-06"].overdue_unpublished == 1
    assert months["2025-01"].total == 0 and months["2025-01"].on_time_rate is None
    assert (report.total.total, report.total.on_time, report.total.settled) == (4, 2, 4)
    chart = report.chart()
    assert chart["target"] == 100 and chart["on_time"][6] == 100.0 and chart["on_time"][7] == 0.0


def test_incremental_refresh_only_recomputes_changes(city: City) -> None:
    record = penalty(city, "scjg", "宁市监罚〔2025〕801号", "2025-10-20")
    first = services.refresh()
    assert first.computed == DecisionFact.objects.count() >= 2  # the city's penalty too
    assert services.refresh().computed == 0
    publish(record, "2025-10-22")
    assert services.refresh().computed == 1
    fact = DecisionFact.objects.get(record=record)
    assert fact.published_on == dt.date(2025, 10, 22) and fact.workdays == 2
    change_status(record, RecordStatus.OBJECTION, actor="credit", reason="收到异议")
    assert services.refresh().computed == 1


def test_a_new_holiday_schedule_forces_a_full_refresh(city: City) -> None:
    services.refresh()
    before = DecisionFact.objects.count()
    import_schedule_text("2027-01-04,holiday,测试\n", year=2027)
    result = services.refresh()
    assert result.full and result.computed == before


def test_refresh_is_skipped_while_another_runs(city: City) -> None:
    from govcredit.core.models import JobState

    services.refresh()
    JobState.objects.filter(name=services.JOB).update(running_since=clock.now(), heartbeat=clock.now())
    assert services.refresh().skipped
    # A run whose heartbeat stopped (its worker died) no longer holds the claim.
    JobState.objects.filter(name=services.JOB).update(heartbeat=clock.now() - dt.timedelta(hours=1))
    assert not services.refresh().skipped


def test_missing_year_gives_a_calendar_warning(city: City) -> None:
    warnings = figures.calendar_warnings(dt.date(2030, 1, 1), dt.date(2030, 12, 1))
    assert warnings == ["2030年的节假日安排尚未录入，已按周一至周五计算", "2031年的节假日安排尚未录入，已按周一至周五计算"]


def _figures(report: figures.Report) -> tuple[object, ...]:
    return (report.total, [(m.label, m.counts) for m in report.months],
            [(d.name, d.district, d.counts, d.rank) for d in report.departments],
            [(a.name, a.counts) for a in report.districts], report.warnings)


def test_monthly_figures_match_the_facts_and_follow_changes(city: City) -> None:
    a = penalty(city, "scjg", "宁市监罚〔2025〕901号", "2025-07-01", serial=41)
    b = licence(city, "xinjiekou", "新街口许〔2025〕902号", "2025-07-15", serial=42)
    publish(a, "2025-07-03")
    services.refresh()
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 1)
    district = Q(issuing_org__path__startswith=city.orgs["xuanwu"].path)
    for scope in (Q(), district):
        assert _figures(figures.build_report(scope, start, end, use_summary=True)) == \
            _figures(figures.build_report(scope, start, end))
    assert figures.summary_is_current(clock.today())
    publish(b, "2025-07-30")  # late
    services.refresh()
    summary = figures.build_report(district, start, end, use_summary=True)
    assert summary.total.late_published == 1 and _figures(summary) == _figures(figures.build_report(district, start, end))
    # A new day: decisions still in time yesterday may be overdue today; the figures move with them.
    from govcredit.statistics.models import MonthlyFigure, RefreshState

    today = clock.today()
    fresh = penalty(city, "scjg", "宁市监罚〔2026〕903号", today, serial=43)
    services.refresh()
    fact = DecisionFact.objects.get(record=fresh)
    later = fact.last_on_time_day + dt.timedelta(days=1)
    assert services.summarise(set(), later, today) == 1
    row = MonthlyFigure.objects.get(month=fact.month, issuing_org=city.orgs["scjg"])
    assert (row.pending, row.overdue_unpublished, row.as_of) == (0, 1, later)
    RefreshState.objects.filter(pk=1).update(summarised_on=today - dt.timedelta(days=1))
    # Not current: the report falls back to the facts (and stays right).
    assert _figures(figures.build_report(Q(), start, end, use_summary=True)) == _figures(
        figures.build_report(Q(), start, end))
