"""Values (versions, import), computations (registered ones, no-value reasons) and warnings (reproducible,
ledgered, opening, escalating and closing their workflow case)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from govcredit.accounts import access
from govcredit.indicators import levels, registry, services
from govcredit.indicators.models import (
    Assessment,
    Indicator,
    IndicatorValue,
    IndicatorWarning,
    Level,
    Source,
    WarningRuleVersion,
    WarningStatus,
)
from govcredit.indicators.workflow import CLEARED, EXPLAIN, KIND
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import verify
from govcredit.subjects.models import Organization
from govcredit.testing import City, on_day
from govcredit.workflow.models import Case, CaseEvent, Notification

DAY = dt.date(2026, 11, 20)
M = [dt.date(2026, m, 1) for m in range(1, 12)]


def enter_debt(city: City, org: str, month: dt.date, balance: int, capacity: int = 1000) -> None:
    inds = {i.code: i for i in Indicator.objects.filter(code__in=("debt_balance", "fiscal_capacity"))}
    user = city.users["credit"]
    for code, v in (("debt_balance", balance), ("fiscal_capacity", capacity)):
        services.record_value(inds[code], city.orgs[org], month, Decimal(v), actor=user, note="test")


@pytest.mark.time_machine(on_day(DAY))
class TestValues:
    def test_defaults_are_loaded_once_with_sources(self, shared_city: City) -> None:
        services.load_defaults()
        assert services.load_defaults() == 0
        debt = WarningRuleVersion.objects.get(rule__indicator__code="debt_ratio")
        assert (debt.yellow, debt.orange, debt.red, debt.watch_line) == (Decimal(120), Decimal(200), Decimal(300),
                                                                          Decimal(100))
        assert debt.secondary_source and "二手资料" in debt.source_document
        overdue = WarningRuleVersion.objects.get(rule__indicator__code="overdue_debt_ratio")
        assert (overdue.yellow, overdue.orange, overdue.red) == (Decimal(10), Decimal(20), Decimal(50))

    def test_a_correction_is_a_new_version_with_its_reason(self, shared_city: City) -> None:
        services.load_defaults()
        ind = Indicator.objects.get(code="complaints")
        user, org = shared_city.users["district"], shared_city.orgs["xuanwu"]
        first = services.record_value(ind, org, M[3], Decimal(4), actor=user)
        assert first is not None and first.version == 1 and first.source == Source.FORM
        assert services.record_value(ind, org, M[3], Decimal(4), actor=user) is None  # unchanged: nothing written
        with pytest.raises(services.IndicatorError, match="更正须填写理由"):
            services.record_value(ind, org, M[3], Decimal(5), actor=user)
        second = services.record_value(ind, org, M[3], Decimal(5), actor=user, note="漏报一件")
        assert second is not None and second.version == 2 and second.entered_by == user
        first.refresh_from_db()
        assert not first.is_current and first.value == 4  # kept, not overwritten
        actions = list(LedgerEntry.objects.filter(entity_type="indicators.indicatorvalue").values_list(
            "action", flat=True).order_by("seq"))
        assert actions == ["indicators.value.enter", "indicators.value.supersede", "indicators.value.correct"]

    def test_computed_indicators_and_other_subjects_cannot_be_entered(self, shared_city: City) -> None:
        services.load_defaults()
        user = shared_city.users["credit"]
        with pytest.raises(services.IndicatorError, match="系统计算"):
            services.record_value(Indicator.objects.get(code="debt_ratio"), shared_city.orgs["xuanwu"], M[0],
                                  Decimal(1), actor=user)
        with pytest.raises(services.IndicatorError, match="区或市级部门"):
            services.record_value(Indicator.objects.get(code="complaints"), shared_city.orgs["xinjiekou"], M[0],
                                  Decimal(1), actor=user)
        assert not access.can_enter_indicator_for(shared_city.users["district"], shared_city.orgs["qinhuai"])

    def test_import_saves_good_rows_and_names_each_bad_one(self, shared_city: City) -> None:
        services.load_defaults()
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(list(services.IMPORT_COLUMNS))
        xw, qh = shared_city.orgs["xuanwu"].credit_code, shared_city.orgs["qinhuai"].credit_code
        ws.append(["complaints", xw, "2026-05", 3, ""])
        ws.append(["nope", xw, "2026-05", 3, ""])
        ws.append(["complaints", qh, "2026-05", 3, ""])  # another district
        ws.append(["complaints", xw, "May", 3, ""])
        ws.append(["complaints", xw, "2026-06", "三", ""])
        ws.append(["debt_ratio", xw, "2026-06", 3, ""])
        buf = io.BytesIO()
        wb.save(buf)
        user = shared_city.users["district"]
        result = services.import_values(buf.getvalue(), "x.xlsx", actor=user,
                                        may_enter=lambda org: access.can_enter_indicator_for(user, org))
        assert result.saved == 1
        assert [row for row, _msg in result.errors] == [3, 4, 5, 6, 7]
        assert "不存在" in result.errors[0][1] and "范围" in result.errors[1][1] and "YYYY-MM" in result.errors[2][1]
        v = IndicatorValue.objects.get(indicator__code="complaints")
        assert v.source == Source.FILE and v.source_detail == {"file": "x.xlsx", "row": 2}


@pytest.mark.time_machine(on_day(DAY))
class TestComputations:
    def test_registered_computations_cover_the_apps(self, shared_city: City) -> None:
        codes = {c.indicator for c in registry.computations()}
        assert {"shuang_on_time", "shuang_complete", "rectifications_open", "rectifications_overdue", "objections",
                "objections_upheld_rate", "repairs", "dishonesty_per_100", "debt_ratio", "new_debt_ratio",
                "debt_service_ratio", "overdue_debt_ratio"} <= codes

    def test_dishonesty_per_100_staff_and_no_value_without_staff(self, shared_city: City) -> None:
        services.load_defaults()
        march = dt.date(2025, 3, 1)  # 玄武区's discipline record (失信) was decided on 2025-03-05
        services.compute([march], ["dishonesty_per_100"])
        got = {v.subject_id: v for v in IndicatorValue.objects.filter(indicator__code="dishonesty_per_100")}
        xw = got[shared_city.orgs["xuanwu"].pk]
        assert xw.value == Decimal(100) and xw.numerator == 1 and xw.denominator == 1  # 1 record, 1 civil servant
        assert xw.source_detail["inputs"] == {"失信记录": 1, "在职公务员": 1}
        assert got[shared_city.orgs["qinhuai"].pk].value == 0
        fgw = got[shared_city.orgs["fgw"].pk]
        assert fgw.value is None and fgw.no_value_reason == "分母为零"  # no staff: no value, not infinity
        # computing again writes nothing; the drill-down names the record
        assert services.compute([march], ["dishonesty_per_100"]).written == 0
        computation = registry.computation("dishonesty_per_100")
        assert computation is not None
        behind = computation.records(shared_city.orgs["xuanwu"], march)
        assert [b.args for b in behind] == [(shared_city.records["xuanwu_discipline"].pk,)]

    def test_debt_ratio_without_capacity_has_no_value(self, shared_city: City) -> None:
        services.load_defaults()
        enter_debt(shared_city, "xuanwu", M[0], 1300, capacity=0)
        services.compute([M[0]], ["debt_ratio", "overdue_debt_ratio"])
        v = IndicatorValue.objects.get(indicator__code="debt_ratio")
        assert v.value is None and v.no_value_reason == "分母为零"
        services.evaluate([M[0]])
        assert Assessment.objects.get(value=v).level == -1
        assert not IndicatorWarning.objects.exists()


@pytest.mark.time_machine(on_day(DAY))
class TestWarnings:
    def series(self, city: City, ratios: list[int]) -> None:
        services.load_defaults()
        for month, pct in zip(M, ratios, strict=False):
            enter_debt(city, "xuanwu", month, pct * 10)
        months = M[:len(ratios)]
        services.compute(months, ["debt_ratio"])
        services.evaluate(months)

    def test_green_to_red_and_back_opens_escalates_and_closes(self, shared_city: City) -> None:
        self.series(shared_city, [100, 119, 120, 250, 300, 310, 119])
        w = IndicatorWarning.objects.get()
        assert w.status == WarningStatus.CLOSED and w.since == M[2] and w.closed_period == M[6]
        assert w.highest_level == Level.RED
        assert w.case is not None and w.case.kind == KIND and w.case.status == CLEARED
        assert w.case.debtor_org == shared_city.orgs["xuanwu"]
        actions = list(LedgerEntry.objects.filter(entity_type="indicators.indicatorwarning", entity_id=w.pk)
                       .values_list("action", flat=True).order_by("seq"))
        assert actions[0] == "indicators.warning.open" and actions[-1] == "indicators.warning.close"
        assert "indicators.warning.escalate" in actions  # red in May and again in June
        assert Notification.objects.filter(case=w.case, text__startswith="督办").exists()
        assert verify().ok  # the levels moved in memory between months are in the rows the entries commit to
        services.evaluate(M[:7])  # evaluating the same months again changes nothing
        assert IndicatorWarning.objects.count() == 1

    def test_a_second_episode_in_one_run_and_the_ledger_verifies(self, shared_city: City) -> None:
        self.series(shared_city, [320, 100, 320, 330])
        first, second = IndicatorWarning.objects.order_by("since")
        assert (first.status, first.since, first.closed_period) == (WarningStatus.CLOSED, M[0], M[1])
        assert (second.status, second.since, second.red_months) == (WarningStatus.OPEN, M[2], 2)
        assert first.case is not None and first.case.status == CLEARED and first.case.closed_at is not None
        assert second.case is not None and second.case.closed_at is None and second.case_id != first.case_id
        assert list(CaseEvent.objects.filter(case=first.case).values_list("to_state", flat=True).order_by("pk")) == [
            EXPLAIN, CLEARED]
        actions = list(LedgerEntry.objects.filter(entity_type="indicators.indicatorwarning", entity_id=second.pk)
                       .values_list("action", flat=True).order_by("seq"))
        assert actions == ["indicators.warning.open", "indicators.warning.escalate"]
        assert verify().ok

    @pytest.mark.parametrize(("ratios", "actions", "months_red", "explained"), [
        ([320, 330, 340, 350], ["open", "escalate"], 4, "350.0000"),  # red all along: one escalation, at the end
        ([320, 330, 340, 100], ["open", "escalate", "close"], 3, "340.0000"),  # escalated, then back below
        ([320, 330, 250, 100], ["open", "escalate", "close"], 2, "250.0000"),  # escalated, orange, back below
    ])
    def test_red_month_after_month_in_one_run_escalates_once(self, shared_city: City, ratios: list[int],
                                                              actions: list[str], months_red: int,
                                                              explained: str) -> None:
        self.series(shared_city, ratios)
        w = IndicatorWarning.objects.get()
        got = list(LedgerEntry.objects.filter(entity_type="indicators.indicatorwarning", entity_id=w.pk)
                   .values_list("action", flat=True).order_by("seq"))
        assert got == [f"indicators.warning.{a}" for a in actions]
        notices = list(Notification.objects.filter(case=w.case, text__startswith="督办").values_list("text", flat=True))
        assert len(set(notices)) == 1 and f"连续 {months_red} 个月红色预警" in notices[0]
        assert w.explanation["value"] == explained  # the state the row was last written in explains it
        assert verify().ok  # each entry commits to the row as it was written, the copies made for escalations too

    def test_a_warning_explains_itself_and_keeps_its_rule_version(self, shared_city: City) -> None:
        self.series(shared_city, [100, 200])
        w = IndicatorWarning.objects.get()
        assert w.status == WarningStatus.OPEN and w.level == Level.ORANGE
        e = w.explanation
        assert (e["value"], e["line"], e["since"], e["rule_version"]) == ("200.0000", "200.0000", "2026-02", 1)
        assert e["inputs"]["inputs"]["debt_balance"] == "2000.0000"
        assert w.case_id is not None and Case.objects.get(pk=w.case_id).status == EXPLAIN
        version = w.rule_version
        # a new rule version applies from the next evaluation; the warning shows which one assessed it
        services.publish_rule_version(version.rule.indicator, direction=version.direction, yellow=Decimal(150),
                                      orange=Decimal(250), red=Decimal(350), source_document="测试文件",
                                      actor=shared_city.users["credit"])
        w.refresh_from_db()
        assert w.rule_version == version
        crossing = levels.assess(w.value.value, w.rule_version)
        assert crossing is not None and crossing.level == w.level  # reproducible from the stored values
        services.evaluate([M[1]])
        w.refresh_from_db()
        assert w.rule_version.version == 2 and w.level == Level.YELLOW

    def test_rule_versions_must_rise_and_name_their_source(self, shared_city: City) -> None:
        services.load_defaults()
        ind = Indicator.objects.get(code="debt_ratio")
        with pytest.raises(services.IndicatorError, match="依据"):
            services.publish_rule_version(ind, direction="越高越差", yellow=Decimal(1), orange=Decimal(2), red=Decimal(3),
                                          source_document=" ", actor="t")
        with pytest.raises(services.IndicatorError, match="递进"):
            services.publish_rule_version(ind, direction="越高越差", yellow=Decimal(3), orange=Decimal(2), red=None,
                                          source_document="x", actor="t")

    def test_debt_rating_and_tenure(self, shared_city: City) -> None:
        assert services.rating({"debt_ratio": 0, "overdue_debt_ratio": 2}) == "C"
        assert services.rating({"debt_ratio": -1}) == ""
        services.load_defaults()
        person = shared_city.people["qinhuai"]  # registered on DAY (2026-11-20) at 秦淮区: one post since then
        ind = Indicator.objects.get(code="new_debt")
        for month in (M[8], M[9], M[10]):
            services.record_value(ind, shared_city.orgs["qinhuai"], month, Decimal(10),
                                  actor=shared_city.users["credit"])
        rows = services.tenures(shared_city.orgs["qinhuai"])
        assert [(t.person, t.start, t.end, t.months, t.borrowed) for t in rows] == [
            (person.name, DAY, None, 1, Decimal(10))]  # November only: September and October were before


def test_subjects_are_depth_one_by_path(db: None) -> None:
    assert registry.SUBJECT_PATH_LENGTH == 2 * 19
    assert Organization.objects.count() == 0


@pytest.mark.time_machine(on_day(DAY))
class TestDemo:
    def test_demo_step_gives_two_years_and_a_district_that_goes_green_red_green(self, shared_city: City) -> None:
        from govcredit.core.demo import DemoRun
        from govcredit.indicators import demo

        counts = demo.build(DemoRun(seed=1, scale=1.0, today=DAY, progress=False))
        assert counts["填报的指标数值"] == 2 * 24 * 8  # two districts in the test city, 24 months, 8 entered figures
        first = shared_city.orgs["qinhuai"] if shared_city.orgs["qinhuai"].region_code < shared_city.orgs[
            "xuanwu"].region_code else shared_city.orgs["xuanwu"]
        levels_by_month = list(Assessment.objects.filter(subject=first, indicator__code="debt_ratio")
                               .order_by("period").values_list("level", flat=True))
        assert len(levels_by_month) == 24
        assert levels_by_month[0] == Level.GREEN and Level.RED in levels_by_month and levels_by_month[-1] == Level.GREEN
        w = IndicatorWarning.objects.get(subject=first, indicator__code="debt_ratio")
        assert w.status == WarningStatus.CLOSED and w.highest_level == Level.RED
        assert [lv for lv in demo.BASE_RATIOS if lv >= 300] and [lv for lv in demo.BASE_RATIOS if 200 <= lv < 300]
        assert [lv for lv in demo.BASE_RATIOS if 120 <= lv < 200] and [lv for lv in demo.BASE_RATIOS if lv < 120]
