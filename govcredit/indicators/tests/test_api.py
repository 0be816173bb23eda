"""The JSON API (``/api/indicators/``): values and warnings within the caller's scope, with the pages' filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcredit.testing import City, on_day, streamed

from .test_pages import DAY, build_series, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(DAY))]


def _items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_values_filtered_and_scoped(city: City) -> None:
    build_series(city)
    credit, district = client_for(city.users["credit"]), client_for(city.users["district"])
    rows = _items(credit.get("/api/indicators/values?indicator=debt_ratio&month=2026-11"))
    assert {(r["subject_id"], r["value"]) for r in rows} == {(city.orgs["xuanwu"].pk, "320.0000"),
                                                             (city.orgs["qinhuai"].pk, "210.0000")}
    assert all(r["period"] == "2026-11" and r["indicator"] == "debt_ratio" and r["version"] == 1 for r in rows)
    # 玄武区's district user sees its own subject only, even when it asks for another
    own = _items(district.get("/api/indicators/values?indicator=debt_ratio"))
    assert len(own) == len({dt.date(2026, m, 1) for m in range(1, 12)}) and {r["subject_id"] for r in own} == {
        city.orgs["xuanwu"].pk}
    assert _items(district.get(f"/api/indicators/values?subject={city.orgs['qinhuai'].pk}")) == []
    assert credit.get("/api/indicators/values?month=2026-13").status_code == 422
    assert _items(credit.get("/api/indicators/values?subject=9223372036854775808")) == []  # no such id, no 500


def test_warnings_by_status_and_level(city: City) -> None:
    build_series(city)
    credit = client_for(city.users["credit"])
    open_ = _items(credit.get("/api/indicators/warnings"))
    assert {(w["subject_id"], w["indicator"], w["level"]) for w in open_ if w["indicator"] == "debt_ratio"} == {
        (city.orgs["xuanwu"].pk, "debt_ratio", 3), (city.orgs["qinhuai"].pk, "debt_ratio", 2)}
    red = _items(credit.get("/api/indicators/warnings?level=3"))
    assert red and all(w["level"] == 3 and w["status"] == "预警中" and w["case_id"] for w in red)
    assert red[0]["explanation"]["rule_version"] == 1
    assert _items(client_for(city.users["district"]).get(
        "/api/indicators/warnings")) == [w for w in open_ if w["subject_id"] == city.orgs["xuanwu"].pk]


def test_grid_as_xlsx(city: City) -> None:
    """/indicators/?format=xlsx: the grid of the latest month through core.tables, in the caller's scope."""
    import io

    from openpyxl import load_workbook

    build_series(city)
    response = client_for(city.users["district"]).get("/indicators/?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(streamed(response))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:4] == ["主体", "统一社会信用代码", "期间", "等级"] and "债务率（%）" in header
    assert [r[0] for r in rows[1:]] == [city.orgs["xuanwu"].name]  # 玄武区's district user: its own subject only
    assert rows[1][2] == "2026-11" and rows[1][3] == "红色" and float(rows[1][header.index("债务率（%）")]) == 320
