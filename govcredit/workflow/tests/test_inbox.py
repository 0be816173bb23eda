"""Every user's inbox, on its page and in ``GET /api/workflow/inbox``: what waits for the user, with counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govcredit.testing import City, on_day
from govcredit.workflow import services

from .conftest import open_sample

pytestmark = pytest.mark.django_db


def _client(city: City, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


def test_inbox_lists_what_waits_for_each_user(city: City, time_machine: Any) -> None:
    time_machine.move_to(on_day(dt.date(2026, 11, 2)))
    waiting = open_sample(city)  # 待整改: the district submits
    submitted = open_sample(city, status="已提交")  # the credit office checks it
    open_sample(city, status="已办结")  # closed: in nobody's inbox
    open_sample(city, org="qinhuai")  # another district's
    time_machine.move_to(on_day(dt.date(2026, 11, 10)))
    services.mark_overdue()

    district = services.inbox(city.users["district"])
    assert [c.pk for c in district.cases] == [waiting.pk, submitted.pk]  # owed by its district, still open
    assert (district.total, district.overdue, district.by_kind) == (2, 2, [("整改（测试）", 2)])
    credit = services.inbox(city.users["credit"])
    assert credit.total == 3  # may close or return anything city-wide, the qinhuai case too
    assert services.inbox(city.users["public"]).total == 0
    assert services.inbox(city.users["submitter"]).total == 0  # 市场监管局 owes none of them

    body = _client(city, "district").get("/api/workflow/inbox").json()
    assert (body["total"], body["overdue"]) == (2, 2)
    assert body["by_kind"] == [{"kind": "整改（测试）", "count": 2}]
    assert [i["id"] for i in body["items"]] == [waiting.pk, submitted.pk]
    assert body["items"][0]["next_states"] == ["已提交", "已终止"] and body["items"][0]["overdue"] is True
    assert body["unread"] >= 2  # opened, overdue …

    page = _client(city, "district").get(reverse("workflow:inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "待办 2 件，其中逾期 2 件" in html
    assert f"#{waiting.pk}" in html and "已逾期" in html  # the notification list
    assert "我的待办" in _client(city, "public").get(reverse("workflow:inbox")).content.decode()


def test_menu_links_to_the_inbox(city: City) -> None:
    html = _client(city, "credit").get(reverse("core:home")).content.decode()
    assert f'href="{reverse("workflow:inbox")}"' in html


def test_inbox_queries_do_not_grow_with_its_cases(city: City, time_machine: Any) -> None:
    time_machine.move_to(on_day(dt.date(2026, 11, 2)))
    client = _client(city, "district")
    open_sample(city)
    open_sample(city, org="xinjiekou")

    def count() -> int:
        with CaptureQueriesContext(connection) as api:
            assert client.get("/api/workflow/inbox").status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("workflow:inbox")).status_code == 200
        return len(api) + len(page)

    few = count()
    for _ in range(5):
        open_sample(city, org="xinjiekou")
    assert count() == few


def test_inbox_in_english(city: City) -> None:
    html = _client(city, "district").get("/en/workflow/").content.decode()
    assert "My inbox" in html and "0 cases waiting, 0 of them overdue" in html
