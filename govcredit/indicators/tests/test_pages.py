"""The pages over HTTP: the dashboard and its drill-down, scope (a district opening another district's values
gets 404), entering, importing, publishing a rule version, debt and the public page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook

from govcredit.accounts.models import User
from govcredit.indicators import services
from govcredit.indicators.models import Indicator, IndicatorValue, IndicatorWarning, WarningRuleVersion
from govcredit.testing import City, on_day

DAY = dt.date(2026, 11, 20)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 12)]


def client_for(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def build_series(city: City) -> None:
    """玄武区 yellow then red; 秦淮区 orange; both with complaints entered."""
    services.load_defaults()
    inds = {i.code: i for i in Indicator.objects.all()}
    rows = []
    for i, month in enumerate(MONTHS):
        for org, pct in (("xuanwu", 130 if i < 10 else 320), ("qinhuai", 210)):
            pk = city.orgs[org].pk
            rows += [(inds["fiscal_capacity"], pk, month, Decimal(1000)),
                     (inds["debt_balance"], pk, month, Decimal(pct * 10)),
                     (inds["overdue_debt"], pk, month, Decimal(50)),
                     (inds["complaints"], pk, month, Decimal(i))]
    services.bulk_enter(rows, actor="test")
    services.compute(MONTHS)
    services.evaluate(MONTHS)


@pytest.fixture
def series(shared_city: City) -> City:
    build_series(shared_city)
    return shared_city


@pytest.mark.time_machine(on_day(DAY))
class TestPages:
    def test_dashboard_for_the_credit_office(self, series: City) -> None:
        r = client_for(series.users["credit"]).get("/indicators/")
        assert r.status_code == 200
        body = r.content.decode()
        assert "南京市玄武区人民政府" in body and "南京市秦淮区人民政府" in body and "南京市发展和改革委员会" in body
        assert 'id="ind-data"' in body and "nanjing_districts.geojson" in body
        d = r.context["d"]
        assert d.month == MONTHS[-1]
        assert d.warning_counts[3] == 1 and d.warning_counts[2] == 1  # 玄武 red, 秦淮 orange (债务率)
        assert [(m.org.name, m.before, m.after) for m in d.movers if m.indicator.code == "debt_ratio"] == [
            ("南京市玄武区人民政府", 1, 3)]
        assert d.trend["levels"]["red"][-1] >= 1

    def test_a_district_sees_its_own_district_only(self, series: City) -> None:
        c = client_for(series.users["district"])
        r = c.get("/indicators/")
        assert r.status_code == 200
        assert [row.org.name for row in r.context["d"].rows] == ["南京市玄武区人民政府"]
        other = series.orgs["qinhuai"]
        value = IndicatorValue.objects.filter(subject=other).first()
        warning = IndicatorWarning.objects.get(subject=other)
        assert value is not None
        for url in (f"/indicators/subjects/{other.pk}/", f"/indicators/values/{value.pk}/",
                    f"/indicators/warnings/{warning.pk}/", f"/indicators/debt/{other.pk}/"):
            assert c.get(url).status_code == 404, url
        own = IndicatorValue.objects.filter(subject=series.orgs["xuanwu"], indicator__code="debt_ratio").last()
        assert own is not None
        assert c.get(f"/indicators/values/{own.pk}/").status_code == 200
        assert c.get(f"/indicators/subjects/{series.orgs['xuanwu'].pk}/").status_code == 200

    def test_drill_down_from_a_warning_to_the_values_behind_it(self, series: City) -> None:
        c = client_for(series.users["credit"])
        w = IndicatorWarning.objects.get(subject=series.orgs["xuanwu"], indicator__code="debt_ratio")
        body = c.get(f"/indicators/warnings/{w.pk}/").content.decode()
        assert "320" in body and "300" in body and "2026-01" in body  # value, line, since
        assert "二手资料" in body
        value_page = c.get(f"/indicators/values/{w.value_id}/").content.decode()
        balance = IndicatorValue.objects.get(subject=series.orgs["xuanwu"], indicator__code="debt_balance",
                                             period=MONTHS[-1])
        assert f"/indicators/values/{balance.pk}/" in value_page  # the input value behind the ratio

    def test_enter_and_correct_on_the_form(self, series: City) -> None:
        c = client_for(series.users["district"])
        ind = Indicator.objects.get(code="complaints")
        data = {"indicator": ind.pk, "subject": series.orgs["xuanwu"].pk, "period": "2026-11", "value": "99"}
        r = c.post("/indicators/enter/", data)
        assert r.status_code == 200 and "更正须填写理由" in r.content.decode()
        r = c.post("/indicators/enter/", {**data, "note": "复核后更正"})
        assert r.status_code == 302
        v = IndicatorValue.objects.get(indicator=ind, subject=series.orgs["xuanwu"], period=MONTHS[-1], is_current=True)
        assert v.version == 2 and v.value == 99
        r = c.post("/indicators/enter/", {**data, "subject": series.orgs["qinhuai"].pk, "note": "x"})
        assert r.status_code == 200 and not IndicatorValue.objects.filter(value=99, subject=series.orgs["qinhuai"]).exists()

    def test_import_page_lists_row_errors(self, series: City) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(list(services.IMPORT_COLUMNS))
        ws.append(["complaints", series.orgs["xuanwu"].credit_code, "2026-10", 1, "更正"])
        ws.append(["complaints", "000", "2026-10", 1, ""])
        buf = io.BytesIO()
        wb.save(buf)
        buf.seek(0)
        buf.name = "v.xlsx"
        r = client_for(series.users["district"]).post("/indicators/import/", {"file": buf})
        assert r.status_code == 200
        assert r.context["result"].saved == 1 and r.context["result"].errors[0][0] == 3

    def test_rule_versions_are_published_by_the_credit_office_only(self, series: City) -> None:
        ind = Indicator.objects.get(code="debt_ratio")
        data = {"direction": "越高越差", "yellow": "110", "orange": "190", "red": "290", "source_document": "测试"}
        assert client_for(series.users["district"]).post(f"/indicators/rules/{ind.pk}/publish/", data).status_code == 403
        assert client_for(series.users["credit"]).post(f"/indicators/rules/{ind.pk}/publish/", data).status_code == 302
        assert WarningRuleVersion.objects.filter(rule__indicator=ind).count() == 2
        assert client_for(series.users["credit"]).get("/indicators/rules/").status_code == 200

    def test_debt_pages_and_tenure(self, series: City) -> None:
        c = client_for(series.users["credit"])
        r = c.get("/indicators/debt/")
        assert r.status_code == 200
        ratings = {row["org"].name: row["rating"] for row in r.context["rows"]}
        assert ratings == {"南京市玄武区人民政府": "D", "南京市秦淮区人民政府": "C"}
        r = c.get(f"/indicators/debt/{series.orgs['qinhuai'].pk}/")
        assert r.status_code == 200 and 'id="tenures"' in r.content.decode()
        assert client_for(series.users["personnel"]).get(
            f"/indicators/debt/{series.orgs['qinhuai'].pk}/tenure/").status_code == 200
        assert client_for(series.users["district"]).get(
            f"/indicators/debt/{series.orgs['xuanwu'].pk}/tenure/").status_code == 403

    def test_the_public_sees_what_the_rules_disclose(self, series: City) -> None:
        r = client_for(None).get("/portal/indicators/")
        assert r.status_code == 200
        body = r.content.decode()
        assert "债务率" in body and "逾期债务率" in body
        assert "投诉件数" not in body and "未办结整改事项" not in body  # not public
        assert "发展和改革委员会" not in body  # districts only
        for role in ("public", "subject", "personnel"):
            assert client_for(series.users[role]).get("/indicators/").status_code == 403
